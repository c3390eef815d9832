# Managed PostgreSQL 16 (RDS, Multi-AZ) holding the control schema and one schema per commune.
#
# Pooler: PgBouncer in transaction mode, run in the cluster by the Helm chart (`pgbouncer.enabled`), in
# front of this instance for APP_DATABASE_URL. RDS Proxy is NOT used: it pins a client to a server
# connection for the rest of the session as soon as it sees a SET statement, and every tenant transaction
# starts with SET LOCAL ROLE / SET LOCAL search_path, so it would pool nothing (docs/scaling.md).
# The owner role (DATABASE_URL: migrations, commune creation) connects to `endpoint` directly.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.80" }
  }
}

variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type        = list(string)
  description = "Isolated database subnets."
}

variable "client_security_group_ids" {
  type        = list(string)
  description = "Security groups allowed to connect (the EKS nodes, where PgBouncer and the platform run)."
}

variable "kms_key_arn" {
  type = string
}

variable "instance_class" {
  type        = string
  default     = "db.r6g.xlarge"
  description = "Sized from bench/: one 2-core node held 3,321 communes; see docs/scaling.md."
}

variable "allocated_storage_gb" {
  type    = number
  default = 200
}

variable "max_allocated_storage_gb" {
  type    = number
  default = 2000
}

variable "database_name" {
  type    = string
  default = "smartcommune"
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-postgres"
  description = "PostgreSQL from the cluster nodes only"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description     = "PostgreSQL from the EKS nodes (platform pods and PgBouncer)"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.client_security_group_ids
  }
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.name}-pg16"
  family = "postgres16"
  tags   = var.tags

  # Log connections and slow statements; TLS only.
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  # Thousands of schemas: keep the catalog caches warm and autovacuum able to keep up.
  parameter {
    name  = "autovacuum_max_workers"
    value = "6"
    apply_method = "pending-reboot"
  }
  # A rollout creates 316 relations per commune: checkpoints spaced by time, not by every gigabyte of
  # WAL, so the catalog's index pages are not written in full again after each one
  # (bench/_fleet_postgres.py). shared_buffers stays RDS's default, a quarter of the instance's memory.
  parameter {
    name  = "max_wal_size"
    value = "16384"
  }
  parameter {
    name  = "checkpoint_timeout"
    value = "1800"
  }
  parameter {
    name  = "wal_compression"
    value = "lz4"
  }
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier                            = var.name
  engine                                = "postgres"
  engine_version                        = "16.4"
  instance_class                        = var.instance_class
  db_name                               = var.database_name
  username                              = "smartcommune_owner"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = var.kms_key_arn
  allocated_storage                     = var.allocated_storage_gb
  max_allocated_storage                 = var.max_allocated_storage_gb
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = var.kms_key_arn
  multi_az                              = true
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  vpc_security_group_ids                = [aws_security_group.this.id]
  parameter_group_name                  = aws_db_parameter_group.this.name
  publicly_accessible                   = false
  iam_database_authentication_enabled   = true
  backup_retention_period               = 14
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${var.name}-final"
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  tags                                  = var.tags
}

output "endpoint" {
  description = "host:port of the instance (direct: owner role, LISTEN connections, PgBouncer's upstream)"
  value       = aws_db_instance.this.endpoint
}

output "address" {
  value = aws_db_instance.this.address
}

output "master_user_secret_arn" {
  value = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  value = aws_security_group.this.id
}
