{{/* Pod pieces every role shares: security, probes, writable directories. */}}

{{- define "rocketmq.podSecurity" -}}
automountServiceAccountToken: false
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
[root, command]: readiness, liveness and start-up from the image's own health check (its HEALTHCHECK runs the
same command every 5 s with 3 tries). The start-up probe holds the other two off while a node first starts.
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
  exec:{{- toYaml $exec | nindent 4 }}
  periodSeconds: {{ $p.livenessPeriodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.livenessFailureThreshold }}
{{- end -}}

{{- define "rocketmq.jvmProbes" -}}
{{- include "rocketmq.probes" (list . (list "docker-entrypoint" "healthcheck")) -}}
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
