{{/* Pod pieces every role shares: security, probes, writable directories. */}}

{{- define "rocketmq.podSecurity" -}}
automountServiceAccountToken: false
{{- /*
No <SERVICE>_SERVICE_HOST/_PORT variables from the kubelet: the images refuse variables under their own prefixes
(RMQ_, BROKER_, NAMESRV_, AUTH_, TLS_, CONSOLE_) that they do not know, and a Service named like those would
stop every pod.
*/}}
enableServiceLinks: false
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "rocketmq.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: {{ .Values.readOnlyRootFilesystem }}
  capabilities:
    drop: [ALL]
{{- end -}}

{{/*
[root, command, port name]: readiness and start-up from the image's own health check (its HEALTHCHECK runs the
same command every 5 s with 3 tries); the start-up probe holds the others off while a node first starts.
Liveness only asks whether the node's port accepts connections: the health check also fails while no name server
lists a broker, and restarting every broker during a name-server outage would not help.
*/}}
{{- define "rocketmq.probes" -}}
{{- $root := index . 0 -}}
{{- $p := $root.Values.probes -}}
{{- $exec := dict "command" (index . 1) -}}
startupProbe:
  exec:{{- toYaml $exec | nindent 4 }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ div $p.startupSeconds $p.periodSeconds | max 1 }}
readinessProbe:
  exec:{{- toYaml $exec | nindent 4 }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.readinessFailureThreshold }}
livenessProbe:
  tcpSocket:
    port: {{ index . 2 }}
  periodSeconds: {{ $p.livenessPeriodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.livenessFailureThreshold }}
{{- end -}}

{{/* [root, port name]: the JVM images' probes. */}}
{{- define "rocketmq.jvmProbes" -}}
{{- include "rocketmq.probes" (list (index . 0) (list "docker-entrypoint" "healthcheck") (index . 1)) -}}
{{- end -}}

{{/* /tmp holds the node's generated configuration, its JVM arguments and the health verdict. */}}
{{- define "rocketmq.scratchVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: logs
  emptyDir:
    sizeLimit: 2Gi
{{- end -}}

{{- define "rocketmq.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: logs
  mountPath: /home/rocketmq/logs
{{- end -}}

{{/* The store volume of a name server or broker (docs/operations.md: /home/rocketmq/store). */}}
{{- define "rocketmq.storeClaim" -}}
{{- $storage := index . 1 -}}
volumeClaimTemplates:
  - metadata:
      name: store
    spec:
      accessModes: [ReadWriteOnce]
      {{- with $storage.storageClassName }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ $storage.size }}
{{- end -}}

{{/* [root, role values, extra selector labels]: required or preferred anti-affinity against the same labels. */}}
{{- define "rocketmq.antiAffinity" -}}
{{- $root := index . 0 -}}
{{- $mode := index . 1 -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (merge (index . 2) (include "rocketmq.selectorLabels" $root | fromYaml))) -}}
affinity:
  podAntiAffinity:
    {{- if eq $mode "required" }}
    requiredDuringSchedulingIgnoredDuringExecution:{{- toYaml (list $term) | nindent 6 }}
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:{{- toYaml $term | nindent 10 }}
    {{- end }}
{{- end -}}

{{/* The role's nodeSelector and tolerations, when given. */}}
{{- define "rocketmq.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:{{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
