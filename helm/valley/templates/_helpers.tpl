{{/* Names, labels and the pieces every Valley pod shares. */}}

{{- define "valley.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "valley.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "valley.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "valley.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "valley.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "valley.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: valley
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api") */}}
{{- define "valley.selector" -}}
app.kubernetes.io/name: {{ include "valley.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "valley.secretName" -}}
{{- default (include "valley.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "valley.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "valley.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* image reference: (dict "root" $ "image" .Values.images.api) */}}
{{- define "valley.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* The pools the api accepts besides the default one, comma-separated, each once. */}}
{{- define "valley.otherPools" -}}
{{- $pools := list -}}
{{- range .Values.workerPools -}}
{{- if ne .pool $.Values.defaultPool -}}
{{- $pools = append $pools .pool -}}
{{- end -}}
{{- end -}}
{{- $pools | uniq | join "," -}}
{{- end -}}

{{/* One secret value as an env var: (dict "root" $ "env" "NAME" "key" "database-password") */}}
{{- define "valley.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "valley.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* Broker and object storage credentials: what the api and every worker read from the Secret. */}}
{{- define "valley.serverSecretEnv" -}}
{{ include "valley.secretEnv" (dict "root" . "env" "SPRING_RABBITMQ_PASSWORD" "key" "broker-password") }}
{{ include "valley.secretEnv" (dict "root" . "env" "VALLEY_STORAGE_ACCESSKEY" "key" "storage-access-key") }}
{{ include "valley.secretEnv" (dict "root" . "env" "VALLEY_STORAGE_SECRETKEY" "key" "storage-secret-key") }}
{{- end -}}

{{/* Rolls the pods when the chart's ConfigMap or Secret changes. */}}
{{- define "valley.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/*
One entry of workerPools with workerDefaults filled in, as YAML: (dict "root" $ "pool" .). A key the entry sets
replaces the default (false and 0 included); keda, podDisruptionBudget and rollingUpdate merge key by key. With
gpus > 0 the pool's image is cuda, its device gpu, and nvidia.com/gpu goes into its requests and limits.
*/}}
{{- define "valley.workerPool" -}}
{{- $defaults := .root.Values.workerDefaults -}}
{{- $out := dict -}}
{{- range $k, $v := $defaults -}}
{{- if hasKey $.pool $k -}}
{{- $pv := get $.pool $k -}}
{{- if and (has $k (list "keda" "podDisruptionBudget" "rollingUpdate")) (kindIs "map" $pv) -}}
{{- $m := deepCopy $v -}}
{{- range $k2, $v2 := $pv }}{{ $_ := set $m $k2 $v2 }}{{ end -}}
{{- $_ := set $out $k $m -}}
{{- else -}}
{{- $_ := set $out $k $pv -}}
{{- end -}}
{{- else -}}
{{- $_ := set $out $k (deepCopy $v) -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := .pool }}{{ if not (hasKey $out $k) }}{{ $_ := set $out $k $v }}{{ end }}{{ end -}}
{{- $gpus := int $out.gpus -}}
{{- if not $out.image }}{{ $_ := set $out "image" (ternary "cuda" "cpu" (gt $gpus 0)) }}{{ end -}}
{{- if not $out.device }}{{ $_ := set $out "device" (ternary "gpu" "cpu" (gt $gpus 0)) }}{{ end -}}
{{- $res := deepCopy (default (dict) $out.resources) -}}
{{- if gt $gpus 0 -}}
{{- $req := default (dict) $res.requests }}{{ $_ := set $req "nvidia.com/gpu" $gpus }}{{ $_ := set $res "requests" $req -}}
{{- $lim := default (dict) $res.limits }}{{ $_ := set $lim "nvidia.com/gpu" $gpus }}{{ $_ := set $res "limits" $lim -}}
{{- $_ := set $out "tolerations" (concat .root.Values.gpuTolerations (default (list) $out.tolerations)) -}}
{{- end -}}
{{- $_ := set $out "resources" $res -}}
{{- toYaml $out -}}
{{- end -}}

{{/* What the schema cannot say: entries of workerPools have distinct names. */}}
{{- define "valley.validate" -}}
{{- $seen := dict -}}
{{- range $i, $p := .Values.workerPools -}}
{{- if hasKey $seen $p.name -}}
{{- fail (printf "workerPools[%d].name: %q is already the name of workerPools[%d]; each entry is its own Deployment" $i $p.name (get $seen $p.name)) -}}
{{- end -}}
{{- $_ := set $seen $p.name $i -}}
{{- end -}}
{{- end -}}
