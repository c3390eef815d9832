# Route 53 public zone for the base domain: the apex and the wildcard `*.<domain>` (one host per commune)
# alias the ingress load balancer. Query logging on, DNSSEC signing with a KMS key (ECC_NIST_P256).

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.80" }
  }
}

variable "domain" {
  type        = string
  description = "The platform's base domain (BASE_DOMAIN)."
}

variable "ingress_lb_dns_name" {
  type        = string
  description = "DNS name of the ingress controller's load balancer."
}

variable "ingress_lb_zone_id" {
  type = string
}

variable "dnssec_kms_key_arn" {
  type        = string
  description = "Asymmetric ECC_NIST_P256 KMS key in us-east-1 (Route 53 requirement)."
}

variable "query_log_group_arn" {
  type        = string
  description = "CloudWatch log group in us-east-1 for query logs."
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_route53_zone" "this" {
  name = var.domain
  tags = var.tags
}

resource "aws_route53_query_log" "this" {
  zone_id                  = aws_route53_zone.this.zone_id
  cloudwatch_log_group_arn = var.query_log_group_arn
}

resource "aws_route53_key_signing_key" "this" {
  hosted_zone_id             = aws_route53_zone.this.id
  key_management_service_arn = var.dnssec_kms_key_arn
  name                       = "smartcommune"
}

resource "aws_route53_hosted_zone_dnssec" "this" {
  hosted_zone_id = aws_route53_key_signing_key.this.hosted_zone_id
}

resource "aws_route53_record" "apex" {
  zone_id = aws_route53_zone.this.zone_id
  name    = var.domain
  type    = "A"
  alias {
    name                   = var.ingress_lb_dns_name
    zone_id                = var.ingress_lb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "wildcard" {
  zone_id = aws_route53_zone.this.zone_id
  name    = "*.${var.domain}"
  type    = "A"
  alias {
    name                   = var.ingress_lb_dns_name
    zone_id                = var.ingress_lb_zone_id
    evaluate_target_health = true
  }
}

output "zone_id" {
  value = aws_route53_zone.this.zone_id
}

output "name_servers" {
  value = aws_route53_zone.this.name_servers
}
