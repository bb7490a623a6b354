{{/*
What values.schema.json cannot say: checks across values, each failing with the value's name, what it is and
what is allowed.
*/}}

{{/* A Kubernetes memory quantity (1Gi, 512Mi, 1G, 500M, bytes) in MiB, rounded down. */}}
{{- define "rocketmq.quantityMiB" -}}
{{- $q := toString . -}}
{{- $n := regexFind "^[0-9]+" $q | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" $q "" -}}
{{- $bytes := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 -}}
{{- if or (not (regexMatch "^[0-9]+(|Ki|Mi|Gi|Ti|k|M|G|T)$" $q)) -}}
{{- fail (printf "memory limit %q: use a whole number with Ki, Mi, Gi, Ti, k, M, G or T (e.g. 1Gi)" $q) -}}
{{- end -}}
{{- div (mul $n (get $bytes $unit)) 1048576 -}}
{{- end -}}

{{/* A JVM size as the images take it (JAVA_HEAP, JAVA_DIRECT_MEMORY: 512m, 2g) in MiB. */}}
{{- define "rocketmq.jvmMiB" -}}
{{- $n := regexFind "^[0-9]+" . | int64 -}}
{{- if regexMatch "[gG]$" . }}{{ mul $n 1024 }}{{ else }}{{ $n }}{{ end -}}
{{- end -}}

{{/* [root, "broker"]: the role's heap plus direct memory must leave room under its memory limit. */}}
{{- define "rocketmq.checkHeap" -}}
{{- $values := index . 0 -}}
{{- $role := index . 1 -}}
{{- $heap := $values.javaHeap | default "" -}}
{{- $direct := $values.javaDirectMemory | default "" -}}
{{- $limit := dig "limits" "memory" "" $values.resources -}}
{{- if and $limit (or $heap $direct) -}}
{{- $limitMiB := include "rocketmq.quantityMiB" $limit | int64 -}}
{{- $used := 0 | int64 -}}
{{- if $heap }}{{ $used = add $used (include "rocketmq.jvmMiB" $heap) | int64 }}{{ end -}}
{{- if $direct }}{{ $used = add $used (include "rocketmq.jvmMiB" $direct) | int64 }}{{ end -}}
{{- if ge $used $limitMiB -}}
{{- fail (printf "%s.javaHeap (%s)%s is %d MiB, not less than %s.resources.limits.memory (%s = %d MiB): the JVM needs room beyond them (metaspace, threads, page cache). Raise the limit, lower the value, or leave it empty so the image sizes the JVM from the limit." $role ($heap | default "unset") (ternary (printf " plus %s.javaDirectMemory (%s)" $role $direct) "" (ne $direct "")) $used $role $limit $limitMiB) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Variables a role's `env` may not set: the chart derives them from other values (named in the message), and a
second, different value would leave ports, addresses or secrets out of step. Passwords come from Secrets only.
*/}}
{{- define "rocketmq.checkEnv" -}}
{{- $role := index . 0 -}}
{{- $env := index . 1 -}}
{{- $derived := index . 2 -}}
{{- range $name, $_ := $env -}}
{{- if hasKey $derived $name -}}
{{- fail (printf "%s.env.%s: the chart sets %s from %s; set that instead." $role $name $name (get $derived $name)) -}}
{{- end -}}
{{- if and (regexMatch "(?i)password|secret|credential|token" $name) (not (hasSuffix "_FILE" $name)) -}}
{{- fail (printf "%s.env.%s: a secret in a plain value; mount a Secret and set %s_FILE to its path." $role $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rocketmq.checks" -}}
{{- $v := .Values -}}
{{- $jvm := dict "JAVA_HEAP" "javaHeap" "JAVA_DIRECT_MEMORY" "javaDirectMemory" -}}
{{- $auth := dict "AUTH_ENABLED" "auth.enabled" "AUTH_ADMIN_USER" "auth.adminUser" "AUTH_ADMIN_PASSWORD_FILE" "auth.existingSecret or auth.adminPassword" -}}
{{- $cluster := dict "NAMESRV_ADDR" "the name servers of this release" "BROKER_CLUSTER_NAME" "clusterName" -}}
{{- $mode := dict "BROKER_NAME" "mode and broker.groups" "BROKER_ID" "mode" "BROKER_ROLE" "mode" "DLEDGER_PEERS" "mode" "DLEDGER_SELF_ID" "mode" "CONTROLLER_ADDR" "mode" "BROKER_IP1" "broker.advertise or externalAccess (one address for every broker would make them all one)" "BROKER_IP2" "externalAccess" -}}
{{- include "rocketmq.checkEnv" (list "nameserver" $v.nameserver.env (merge (dict "LISTEN_PORT" "nameserver.port" "CONTROLLER_PEERS" "mode" "CONTROLLER_SELF_ID" "mode") $jvm)) -}}
{{- include "rocketmq.checkEnv" (list "broker" $v.broker.env (merge (dict "LISTEN_PORT" "broker.port or externalAccess.firstListenPort") $cluster $mode $jvm $auth)) -}}
{{- include "rocketmq.checkEnv" (list "proxy" $v.proxy.env (merge (dict "GRPC_PORT" "proxy.grpcPort" "REMOTING_PORT" "proxy.remotingPort" "REMOTING_ACCESS_ADDR" "proxy.remotingAccessAddr") $cluster $jvm $auth)) -}}
{{- $console := dict "NAMESRV_ADDR" "the name servers of this release" "CONSOLE_PORT" "console.port" "CONSOLE_READ_ONLY" "console.readOnly" "CONSOLE_PASSWORD_FILE" "console.existingSecret or console.password" "CONSOLE_CLUSTER_USER" "auth.adminUser" "CONSOLE_CLUSTER_PASSWORD_FILE" "auth.existingSecret or auth.adminPassword" -}}
{{- if include "rocketmq.proxyEnabled" . }}{{ $_ := set $console "CONSOLE_PROXY_ADDR" "proxy.enabled (the proxy of this release)" }}{{ end -}}
{{- include "rocketmq.checkEnv" (list "console" $v.console.env $console) -}}
{{- range $name, $tag := dict "image.tag" $v.image.tag "image.consoleTag" $v.image.consoleTag -}}
{{- if eq $tag "latest" -}}
{{- fail (printf "%s=latest: give a release (5.5.0, 4.9.7; the console: the chart's version), so that every node runs the same one and an upgrade is a choice; empty takes the chart's." $name) -}}
{{- end -}}
{{- end -}}
{{- if include "rocketmq.is4x" . -}}
{{- if eq $v.mode "controller" -}}
{{- fail (printf "mode=controller needs RocketMQ 5 (image.tag %q is 4.x): controllers exist from 5.0 on. Use dledger for automatic failover on 4.x." (include "rocketmq.tag" .)) -}}
{{- end -}}
{{- if $v.auth.enabled -}}
{{- fail (printf "auth.enabled=true needs RocketMQ 5 (image.tag %q is 4.x): the 4.x images refuse AUTH_ENABLED, see docs/security.md." (include "rocketmq.tag" .)) -}}
{{- end -}}
{{- end -}}
{{- if and (eq $v.mode "single") $v.broker.groups (gt (int $v.broker.groups) 1) -}}
{{- fail (printf "broker.groups=%v with mode=single: single has one broker; use mode=2m-noslave for several masters." $v.broker.groups) -}}
{{- end -}}
{{- if and $v.auth.enabled (not $v.auth.existingSecret) (not $v.auth.adminPassword) -}}
{{- fail "auth.enabled=true needs the admin's password: auth.existingSecret (a Secret holding it under auth.existingSecretKey) or auth.adminPassword." -}}
{{- end -}}
{{- if and $v.console.existingSecret $v.console.password -}}
{{- fail "console.existingSecret and console.password are both set: give one." -}}
{{- end -}}
{{- if and $v.auth.existingSecret $v.auth.adminPassword -}}
{{- fail "auth.existingSecret and auth.adminPassword are both set: give one." -}}
{{- end -}}
{{- if and $v.externalAccess.enabled (eq $v.externalAccess.type "LoadBalancer") -}}
{{- $plan := include "rocketmq.plan" . | fromYaml -}}
{{- range $plan.brokers -}}
{{- if not (hasKey $v.externalAccess.addresses .name) -}}
{{- fail (printf "externalAccess.type=LoadBalancer needs the address broker %s advertises: externalAccess.addresses.%s (the load balancer's IP or DNS name, reserved beforehand)." .name .name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- include "rocketmq.checkHeap" (list $v.nameserver "nameserver") -}}
{{- include "rocketmq.checkHeap" (list $v.broker "broker") -}}
{{- include "rocketmq.checkHeap" (list $v.proxy "proxy") -}}
{{- end -}}
