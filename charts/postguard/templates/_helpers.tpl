{{/* Standard names and labels (the prometheus-community / bitnami conventions). */}}

{{- define "postguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "postguard.fullname" -}}
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

{{- define "postguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Common labels of every object. */}}
{{- define "postguard.labels" -}}
helm.sh/chart: {{ include "postguard.chart" . }}
app.kubernetes.io/name: {{ include "postguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: postguard
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "service" "ingest"). */}}
{{- define "postguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "postguard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* Labels of one service's objects; call with (dict "root" $ "service" "ingest"). */}}
{{- define "postguard.componentLabels" -}}
{{ include "postguard.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* Object name of one service: <fullname>-<service>, at most 63 characters. */}}
{{- define "postguard.serviceName" -}}
{{- printf "%s-%s" (include "postguard.fullname" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* PVC of image-screening's redacted copies: the existing claim, else <fullname>-image-screening-redacted. */}}
{{- define "postguard.redactedClaimName" -}}
{{- $pvc := (index .root.Values.services .service).redacted.pvc -}}
{{- default (printf "%s-redacted" (include "postguard.serviceName" .) | trunc 63 | trimSuffix "-") $pvc.existingClaim -}}
{{- end -}}

{{- define "postguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "postguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "postguard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Settings prefix of one service: identifier-detection -> POSTGUARD_IDENTIFIER_DETECTION_. */}}
{{- define "postguard.envPrefix" -}}
{{- printf "POSTGUARD_%s_" (. | replace "-" "_" | upper) -}}
{{- end -}}

{{- define "postguard.policiesConfigMapName" -}}
{{- printf "%s-policies" (include "postguard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* True when the Kafka connection uses SASL / TLS. */}}
{{- define "postguard.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.securityProtocol }}true{{ end -}}
{{- end -}}
{{- define "postguard.kafkaTls" -}}
{{- if or (eq .Values.kafka.securityProtocol "SSL") (eq .Values.kafka.securityProtocol "SASL_SSL") }}true{{ end -}}
{{- end -}}
