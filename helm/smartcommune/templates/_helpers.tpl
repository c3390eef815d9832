{{/* Names */}}
{{- define "sc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Component name: <fullname>-<component>, at most 63 characters. */}}
{{- define "sc.componentName" -}}
{{- printf "%s-%s" (include "sc.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sc.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels */}}
{{- define "sc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sc.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "sc.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: smartcommune
{{- end -}}

{{/* image reference: repository@digest when a digest is set, else repository:tag */}}
{{- define "sc.imageRef" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository (toString .tag) -}}
{{- end -}}
{{- end -}}

{{- define "sc.image" -}}
{{- include "sc.imageRef" (dict "repository" .Values.image.repository "digest" .Values.image.digest "tag" (default .Chart.AppVersion .Values.image.tag)) -}}
{{- end -}}

{{/* Environment of every platform container: plain settings, then secretKeyRefs (never inlined). */}}
{{- define "sc.env" -}}
- name: ENVIRONMENT
  value: {{ .Values.environment | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: LOG_JSON
  value: {{ .Values.logJson | quote }}
- name: BASE_DOMAIN
  value: {{ .Values.baseDomain | quote }}
- name: PUBLIC_URL
  value: {{ default (printf "https://%s" .Values.baseDomain) .Values.publicUrl | quote }}
- name: OIDC_AUDIENCE
  value: {{ .Values.oidc.audience | quote }}
{{- with .Values.oidc.issuer }}
- name: OIDC_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with .Values.oidc.staffIssuer }}
- name: OIDC_STAFF_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with .Values.keycloak.url }}
- name: KEYCLOAK_URL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.keycloak.adminUser }}
- name: KEYCLOAK_ADMIN_USER
  value: {{ . | quote }}
{{- end }}
- name: FILES_URL
  value: {{ .Values.files.url | quote }}
- name: FILES_SHARED_VOLUME
  value: {{ .Values.files.sharedVolume | quote }}
- name: FILES_DOWNLOAD
  value: {{ .Values.files.download | quote }}
{{- with .Values.files.s3EndpointUrl }}
- name: S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.files.s3Region }}
- name: S3_REGION
  value: {{ . | quote }}
{{- end }}
{{- with .Values.files.sse }}
- name: S3_SSE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.files.kmsKeyId }}
- name: S3_KMS_KEY_ID
  value: {{ . | quote }}
{{- end }}
- name: MIGRATION_WORKERS
  value: {{ .Values.migrations.workers | quote }}
- name: MIGRATION_LOCK_TIMEOUT_MS
  value: {{ .Values.migrations.lockTimeoutMs | quote }}
{{- range $name := keys .Values.secrets.keys | sortAlpha }}
{{- $ref := get $.Values.secrets.keys $name }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.secrets.existingSecret }}
      key: {{ $ref.key }}
      optional: {{ $ref.optional }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every platform pod. */}}
{{- define "sc.podCommon" -}}
serviceAccountName: {{ include "sc.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* /tmp as a memory-backed emptyDir: the root filesystem is read-only. */}}
{{- define "sc.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
{{- end -}}

{{- define "sc.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* HPA: .root, .component, .cfg (with autoscaling) */}}
{{- define "sc.hpa" -}}
{{- if and .cfg.autoscaling .cfg.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "sc.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "sc.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "sc.componentName" . }}
  minReplicas: {{ .cfg.autoscaling.minReplicas }}
  maxReplicas: {{ .cfg.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .cfg.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}

{{/* PDB: .root, .component, .cfg (with pdb) */}}
{{- define "sc.pdb" -}}
{{- if and .cfg.pdb .cfg.pdb.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "sc.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "sc.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .cfg.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "sc.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Spread replicas across nodes and zones (soft). */}}
{{- define "sc.spread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "sc.selectorLabels" . | nindent 8 }}
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "sc.selectorLabels" . | nindent 8 }}
{{- end -}}

{{/*
A Deployment running the platform image.
  .root .component .cfg        context, component name, its values (replicas, resources, autoscaling)
  .args                        container args after the `smartcommune` entrypoint (list)
  .command                     optional: replaces the entrypoint (list)
  .port                        optional container port named http
  .probes                      dict with livenessProbe / readinessProbe / startupProbe (optional)
  .singleton                   true: one replica, Recreate strategy (beat)
*/}}
{{- define "sc.platformDeployment" -}}
{{- $root := .root }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "sc.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "sc.labels" . | nindent 4 }}
spec:
  {{- if .singleton }}
  replicas: 1
  strategy:
    type: Recreate
  {{- else }}
  {{- if not (and .cfg.autoscaling .cfg.autoscaling.enabled) }}
  replicas: {{ .cfg.replicas }}
  {{- end }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "sc.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "sc.labels" . | nindent 8 }}
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "sc.podCommon" $root | nindent 6 }}
      {{- include "sc.spread" . | nindent 6 }}
      terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds | default 30 }}
      containers:
        - name: {{ .component }}
          image: {{ include "sc.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- with .command }}
          command:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          args:
            {{- toYaml .args | nindent 12 }}
          {{- if .port }}
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          {{- end }}
          env:
            {{- include "sc.env" $root | nindent 12 }}
            {{- with .extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- with .probes }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
          resources:
            {{- toYaml .cfg.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            {{- include "sc.tmpMount" . | nindent 12 }}
      volumes:
        {{- include "sc.tmpVolume" . | nindent 8 }}
{{- end -}}

{{/* A ClusterIP Service for a component with an `http` port. */}}
{{- define "sc.service" }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "sc.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "sc.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "sc.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .servicePort | default 80 }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{/* Probes of a long-running process that follows the API's contract (/healthz, /readyz on `http`):
the ingester and camera workers serve them on HEALTH_PORT (operations/health.py). */}}
{{- define "sc.httpProbes" -}}
startupProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 5
  failureThreshold: 24
livenessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /readyz, port: http}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}
