# Example environment: the national provider's production stack in AWS ap-southeast-1 (Singapore).
# Wires network -> EKS -> PostgreSQL, Redis, object storage, DNS, then installs the chart with a
# helm_release whose values mirror helm/ci/production-values.yaml. State in S3 with locking.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws        = { source = "hashicorp/aws", version = "~> 5.80" }
    helm       = { source = "hashicorp/helm", version = "~> 2.16" }
    kubernetes = { source = "hashicorp/kubernetes", version = "~> 2.33" }
    tls        = { source = "hashicorp/tls", version = "~> 4.0" }
  }
  backend "s3" {
    bucket       = "smartcommune-terraform-state"
    key          = "production/terraform.tfstate"
    region       = "ap-southeast-1"
    encrypt      = true
    use_lockfile = true
  }
}

variable "region" {
  type    = string
  default = "ap-southeast-1"
}

variable "base_domain" {
  type    = string
  default = "xathongminh.gov.vn"
}

variable "admin_cidrs" {
  type        = list(string)
  description = "VPN / bastion networks allowed to reach the EKS API."
}

variable "image_repository" {
  type = string
}

variable "image_digest" {
  type        = string
  description = "sha256:... of the released platform image."
}

variable "ingress_lb_dns_name" {
  type = string
}

variable "ingress_lb_zone_id" {
  type = string
}

variable "dnssec_kms_key_arn" {
  type = string
}

variable "query_log_group_arn" {
  type = string
}

variable "azs" {
  type        = list(string)
  default     = ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]
  description = "Pinned zones: the stack never spreads into a zone added later by surprise."
}

variable "access_log_bucket" {
  type = string
}

variable "redis_auth_secret_id" {
  type        = string
  description = "Secrets Manager secret holding the Redis AUTH token."
}

locals {
  name = "smartcommune-prod"
  tags = { project = "smartcommune", environment = "production", managed_by = "terraform" }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountAdmin"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "platform" {
  description         = "Smart Commune production: EKS secrets, RDS, Redis, S3, logs"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
}

data "aws_secretsmanager_secret_version" "redis_auth" {
  secret_id = var.redis_auth_secret_id
}

module "network" {
  source      = "../../modules/network"
  name        = local.name
  azs         = var.azs
  kms_key_arn = aws_kms_key.platform.arn
  tags        = local.tags
}

module "kubernetes" {
  source      = "../../modules/kubernetes"
  name        = local.name
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  admin_cidrs = var.admin_cidrs
  kms_key_arn = aws_kms_key.platform.arn
  tags        = local.tags
}

module "postgres" {
  source                    = "../../modules/postgres"
  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.database_subnet_ids
  client_security_group_ids = [module.kubernetes.node_security_group_id]
  kms_key_arn               = aws_kms_key.platform.arn
  tags                      = local.tags
}

module "redis" {
  source                    = "../../modules/redis"
  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.database_subnet_ids
  client_security_group_ids = [module.kubernetes.node_security_group_id]
  kms_key_arn               = aws_kms_key.platform.arn
  auth_token                = data.aws_secretsmanager_secret_version.redis_auth.secret_string
  tags                      = local.tags
}

module "object_storage" {
  source            = "../../modules/object_storage"
  bucket_name       = "${local.name}-files"
  kms_key_arn       = aws_kms_key.platform.arn
  access_log_bucket = var.access_log_bucket
  oidc_provider_arn = module.kubernetes.oidc_provider_arn
  oidc_issuer       = module.kubernetes.oidc_issuer
  service_account   = "smartcommune:smartcommune"
  tags              = local.tags
}

module "dns" {
  source              = "../../modules/dns"
  domain              = var.base_domain
  ingress_lb_dns_name = var.ingress_lb_dns_name
  ingress_lb_zone_id  = var.ingress_lb_zone_id
  dnssec_kms_key_arn  = var.dnssec_kms_key_arn
  query_log_group_arn = var.query_log_group_arn
  tags                = local.tags
}

data "aws_eks_cluster_auth" "this" {
  name = module.kubernetes.cluster_name
}

provider "kubernetes" {
  host                   = module.kubernetes.endpoint
  cluster_ca_certificate = base64decode(module.kubernetes.ca_data)
  token                  = data.aws_eks_cluster_auth.this.token
}

provider "helm" {
  kubernetes {
    host                   = module.kubernetes.endpoint
    cluster_ca_certificate = base64decode(module.kubernetes.ca_data)
    token                  = data.aws_eks_cluster_auth.this.token
  }
}

# The Secret `smartcommune-env` (DATABASE_URL, APP_DATABASE_URL, BROKER_URL, ...) is synced from Secrets
# Manager by External Secrets Operator; it is never a Terraform value nor in the state.
resource "helm_release" "smartcommune" {
  name             = "smartcommune"
  namespace        = "smartcommune"
  create_namespace = true
  chart            = "${path.module}/../../../helm/smartcommune"
  timeout          = 3600 # the pre-upgrade migration Job runs inside this window
  atomic           = true
  values           = [file("${path.module}/../../../helm/ci/production-values.yaml")]

  set {
    name  = "image.repository"
    value = var.image_repository
  }
  set {
    name  = "image.digest"
    value = var.image_digest
  }
  set {
    name  = "baseDomain"
    value = var.base_domain
  }
  set {
    name  = "pgbouncer.database.host"
    value = module.postgres.address
  }
  set {
    name  = "keda.redisAddress"
    value = "${module.redis.primary_endpoint}:${module.redis.port}"
  }
  set {
    name  = "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = module.object_storage.platform_role_arn
  }
  set {
    name  = "files.url"
    value = "s3://${module.object_storage.bucket}/communes"
  }
  set {
    name  = "files.s3Region"
    value = var.region
  }
  set {
    name  = "files.kmsKeyId"
    value = aws_kms_key.platform.arn
  }
  set {
    name  = "networkPolicy.egressCIDRs[0]"
    value = module.network.vpc_cidr
  }
}

output "postgres_endpoint" {
  value = module.postgres.endpoint
}

output "name_servers" {
  value = module.dns.name_servers
}
