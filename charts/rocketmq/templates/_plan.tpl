{{/*
The cluster's plan for the chosen mode: every name server and every broker node, with the variables each gets.
It is the chart's form of env/<mode>/*.env: cluster.env's variables on every broker, each node file's on its
node. Every node is its own StatefulSet of one pod, because the images take their per-node settings (ids, roles,
ports) only as variables, and a StatefulSet's pods share one template.
*/}}
{{- define "rocketmq.plan" -}}
{{- $mode := .Values.mode -}}
{{- $full := include "rocketmq.fullname" . -}}
{{- $nsSvc := include "rocketmq.namesrvService" . -}}
{{- $brSvc := include "rocketmq.brokerService" . -}}
{{- $domain := printf "%s.svc.%s" .Release.Namespace .Values.clusterDomain -}}
{{- $namesrvCount := dict "single" 1 "controller" 3 | dig $mode 2 | int -}}
{{- if .Values.nameserver.replicas }}{{ $namesrvCount = int .Values.nameserver.replicas }}{{ end -}}
{{- $groupCount := dict "2m-noslave" 2 "2m-2s-async" 2 "2m-2s-sync" 2 | dig $mode 1 | int -}}
{{- if .Values.broker.groups }}{{ $groupCount = int .Values.broker.groups }}{{ end -}}
{{- $external := .Values.externalAccess -}}

{{- $namesrvs := list -}}
{{- range $i := until $namesrvCount -}}
{{- $sts := printf "%s-namesrv-%d" $full $i -}}
{{- $namesrvs = append $namesrvs (dict "sts" $sts "id" (printf "n%d" $i) "host" (printf "%s-0.%s.%s" $sts $nsSvc $domain)) -}}
{{- end -}}

{{- /* What every broker of the mode shares (env/<mode>/cluster.env). */ -}}
{{- $cluster := dict -}}
{{- if eq $mode "single" -}}
{{- $cluster = dict "BROKER_ID" "0" "BROKER_ROLE" "ASYNC_MASTER" "FLUSH_DISK_TYPE" "ASYNC_FLUSH" "RMQ_BROKER_fileReservedTime" "48" -}}
{{- else if eq $mode "2m-noslave" -}}
{{- $cluster = dict "BROKER_ID" "0" "BROKER_ROLE" "ASYNC_MASTER" "FLUSH_DISK_TYPE" "ASYNC_FLUSH" -}}
{{- else if eq $mode "2m-2s-async" -}}
{{- /* Slaves serve reads: since 5.0 a slave rejects pulls without it. */ -}}
{{- $cluster = dict "FLUSH_DISK_TYPE" "ASYNC_FLUSH" "RMQ_BROKER_slaveReadEnable" "true" -}}
{{- else if eq $mode "2m-2s-sync" -}}
{{- $cluster = dict "FLUSH_DISK_TYPE" "SYNC_FLUSH" "RMQ_BROKER_slaveReadEnable" "true" -}}
{{- else if eq $mode "dledger" -}}
{{- /* RocketMQ's DLedger examples use 16 send threads: the leader waits for a quorum on each write. */ -}}
{{- $cluster = dict "RMQ_BROKER_sendMessageThreadPoolNums" "16" -}}
{{- else if eq $mode "controller" -}}
{{- /* An acknowledged write is on every in-sync replica, so it survives a failover. */ -}}
{{- $controllers := list -}}
{{- range $namesrvs }}{{ $controllers = append $controllers (printf "%s:%v" .host $.Values.nameserver.controllerPort) }}{{ end -}}
{{- $cluster = dict "CONTROLLER_ADDR" (join ";" $controllers) "RMQ_BROKER_allAckInSyncStateSet" "true" "FLUSH_DISK_TYPE" "ASYNC_FLUSH" -}}
{{- end -}}

{{- /* Members of each group: the node-name suffix and the node's own variables. */ -}}
{{- $members := list (dict "suffix" "" "env" dict) -}}
{{- if hasPrefix "2m-2s-" $mode -}}
{{- $masterRole := ternary "SYNC_MASTER" "ASYNC_MASTER" (eq $mode "2m-2s-sync") -}}
{{- $members = list (dict "suffix" "" "env" (dict "BROKER_ID" "0" "BROKER_ROLE" $masterRole)) (dict "suffix" "-s" "env" (dict "BROKER_ID" "1" "BROKER_ROLE" "SLAVE")) -}}
{{- else if has $mode (list "dledger" "controller") -}}
{{- $members = list -}}
{{- range $i := until 3 }}{{ $members = append $members (dict "suffix" (printf "-n%d" $i) "env" (ternary (dict "DLEDGER_SELF_ID" (printf "n%d" $i)) dict (eq $mode "dledger"))) }}{{ end -}}
{{- end -}}

{{- $brokers := list -}}
{{- $index := 0 -}}
{{- range $g := until $groupCount -}}
{{- $group := printf "broker-%s" (substr $g (add1 $g | int) "abcdefghijklmnopqrstuvwxyz") -}}
{{- $nodes := list -}}
{{- range $m := $members -}}
{{- $name := printf "%s%s" $group $m.suffix -}}
{{- $sts := printf "%s-%s" $full $name -}}
{{- $port := int $.Values.broker.port -}}
{{- if $external.enabled }}{{ $port = add (int $external.firstListenPort) (mul $index (int $external.portStep)) | int }}{{ end -}}
{{- /* On the host network two groups' members may share a node: each takes its own DLedger port. */ -}}
{{- $dledgerPort := int $.Values.broker.dledgerPort -}}
{{- if and $external.enabled (eq $external.type "hostNetwork") }}{{ $dledgerPort = add $port 10000 | int }}{{ end -}}
{{- $nodes = append $nodes (dict "name" $name "sts" $sts "host" (printf "%s-0.%s.%s" $sts $brSvc $domain) "port" $port "dledgerPort" $dledgerPort "env" (merge (dict "BROKER_NAME" $group) $m.env)) -}}
{{- $index = add1 $index -}}
{{- end -}}
{{- if eq $mode "dledger" -}}
{{- $peers := list -}}
{{- range $n := $nodes }}{{ $peers = append $peers (printf "%s-%s:%d" $n.env.DLEDGER_SELF_ID $n.host $n.dledgerPort) }}{{ end -}}
{{- range $n := $nodes }}{{ $_ := set $n.env "DLEDGER_PEERS" (join ";" $peers) }}{{ end -}}
{{- end -}}
{{- range $n := $nodes }}{{ $_ := set $n "group" $group }}{{ $brokers = append $brokers $n }}{{ end -}}
{{- end -}}
{{- toYaml (dict "namesrvs" $namesrvs "brokers" $brokers "cluster" $cluster "groupCount" $groupCount) -}}
{{- end -}}
