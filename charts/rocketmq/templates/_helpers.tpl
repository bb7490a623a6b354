{{/* Names, labels and images shared by every template. */}}

{{/* Short enough that "<fullname>-broker-a-n0-0" stays a valid pod host name (63 characters). */}}
{{- define "rocketmq.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rocketmq.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rocketmq.labels" -}}
{{ include "rocketmq.selectorLabels" . }}
app.kubernetes.io/version: {{ include "rocketmq.tag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The RocketMQ release of the JVM images. */}}
{{- define "rocketmq.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* "true" for a 4.x tag: no proxy, no controller mode, no ACL 2.0. */}}
{{- define "rocketmq.is4x" -}}
{{- if hasPrefix "4." (include "rocketmq.tag" .) }}true{{ end -}}
{{- end -}}

{{/* The proxy runs only on 5.x, where the image exists. */}}
{{- define "rocketmq.proxyEnabled" -}}
{{- if and .Values.proxy.enabled (not (include "rocketmq.is4x" .)) }}true{{ end -}}
{{- end -}}

{{/* image: "<role>" for the JVM images; the console has its own tag. */}}
{{- define "rocketmq.image" -}}
{{- $root := index . 0 -}}
{{- $role := index . 1 -}}
{{- $tag := include "rocketmq.tag" $root -}}
{{- if eq $role "console" }}{{ $tag = $root.Values.image.consoleTag | default $root.Chart.Version }}{{ end -}}
{{- printf "%s%s/%s:%s" $root.Values.image.registry $root.Values.image.repository $role $tag -}}
{{- end -}}

{{- define "rocketmq.namesrvService" -}}
{{- printf "%s-namesrv" (include "rocketmq.fullname" .) -}}
{{- end -}}

{{- define "rocketmq.brokerService" -}}
{{- printf "%s-broker" (include "rocketmq.fullname" .) -}}
{{- end -}}

{{- define "rocketmq.proxyService" -}}
{{- printf "%s-proxy" (include "rocketmq.fullname" .) -}}
{{- end -}}

{{/* NAMESRV_ADDR: every name server by its pod's stable name, since each broker must register with all. */}}
{{- define "rocketmq.namesrvAddr" -}}
{{- $plan := include "rocketmq.plan" . | fromYaml -}}
{{- $addrs := list -}}
{{- range $plan.namesrvs }}{{ $addrs = append $addrs (printf "%s:%v" .host $.Values.nameserver.port) }}{{ end -}}
{{- join ";" $addrs -}}
{{- end -}}

{{/* The Secret and key holding the admin's password (auth.enabled). */}}
{{- define "rocketmq.authSecret" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "rocketmq.fullname" .)) -}}
{{- end -}}

{{- define "rocketmq.authSecretKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{ else }}admin-password{{ end -}}
{{- end -}}

{{- define "rocketmq.consoleSecret" -}}
{{- .Values.console.existingSecret | default (printf "%s-console" (include "rocketmq.fullname" .)) -}}
{{- end -}}

{{/* Where secrets are mounted; the images read them through <VARIABLE>_FILE. */}}
{{- define "rocketmq.secretsDir" -}}/etc/rocketmq/secrets{{- end -}}

{{/* AUTH_* of a broker or proxy, and the password file's volume mount (auth.enabled). */}}
{{- define "rocketmq.authEnv" -}}
{{- if .Values.auth.enabled }}
- name: AUTH_ENABLED
  value: "true"
- name: AUTH_ADMIN_USER
  value: {{ .Values.auth.adminUser | quote }}
- name: AUTH_ADMIN_PASSWORD_FILE
  value: {{ include "rocketmq.secretsDir" . }}/auth/admin-password
{{- end }}
{{- end -}}

{{- define "rocketmq.authVolume" -}}
{{- if .Values.auth.enabled }}
- name: auth
  secret:
    secretName: {{ include "rocketmq.authSecret" . }}
    defaultMode: 0440
    items:
      - key: {{ include "rocketmq.authSecretKey" . }}
        path: admin-password
{{- end }}
{{- end -}}

{{- define "rocketmq.authMount" -}}
{{- if .Values.auth.enabled }}
- name: auth
  mountPath: {{ include "rocketmq.secretsDir" . }}/auth
  readOnly: true
{{- end }}
{{- end -}}

{{/* name/value pairs of a map, sorted by name; values quoted. */}}
{{- define "rocketmq.envList" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* [indent, text]: the text indented on new lines, or nothing at all when it is empty (no blank lines). */}}
{{- define "rocketmq.block" -}}
{{- $text := trim (index . 1) -}}
{{- if $text }}{{ $text | nindent (index . 0) }}{{ end -}}
{{- end -}}
