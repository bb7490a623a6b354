{{/*
The cluster's plan for the chosen mode: every name server and every broker node, with the variables each gets.
Each mode's nodes and variables come from files/modes.yaml, which `npm run chart-modes` generates from
env/<mode>/*.env (the compose files'): cluster.env's variables on every broker, each node file's on its node,
namesrv*.env's on the name servers. The chart adds the addresses and ports. Every node is its own StatefulSet of
one pod, because the images take their per-node settings (ids, roles, ports) only as variables, and a
StatefulSet's pods share one template.
*/}}
{{- define "rocketmq.modes" -}}
{{- .Files.Get "files/modes.yaml" -}}
{{- end -}}

{{- define "rocketmq.plan" -}}
{{- $mode := .Values.mode -}}
{{- $settings := index (include "rocketmq.modes" . | fromYaml).modes $mode -}}
{{- $full := include "rocketmq.fullname" . -}}
{{- $nsSvc := include "rocketmq.namesrvService" . -}}
{{- $brSvc := include "rocketmq.brokerService" . -}}
{{- $domain := printf "%s.svc.%s" .Release.Namespace .Values.clusterDomain -}}
{{- $namesrvCount := len $settings.namesrvs -}}
{{- if .Values.nameserver.replicas }}{{ $namesrvCount = int .Values.nameserver.replicas }}{{ end -}}
{{- $groupCount := len $settings.groups -}}
{{- if .Values.broker.groups }}{{ $groupCount = int .Values.broker.groups }}{{ end -}}
{{- $external := .Values.externalAccess -}}

{{- /* Name servers beyond the mode's take the first one's variables, with a controller id of their own. */ -}}
{{- $namesrvs := list -}}
{{- range $i := until $namesrvCount -}}
{{- $sts := printf "%s-namesrv-%d" $full $i -}}
{{- $id := printf "n%d" $i -}}
{{- $env := deepCopy (index $settings.namesrvs (ternary $i 0 (lt $i (len $settings.namesrvs)))).env -}}
{{- if and (hasKey $env "CONTROLLER_SELF_ID") (ge $i (len $settings.namesrvs)) }}{{ $_ := set $env "CONTROLLER_SELF_ID" $id }}{{ end -}}
{{- $namesrvs = append $namesrvs (dict "sts" $sts "id" ($env.CONTROLLER_SELF_ID | default $id) "host" (printf "%s-0.%s.%s" $sts $nsSvc $domain) "env" $env) -}}
{{- end -}}

{{- /* What every broker of the mode shares (env/<mode>/cluster.env). */ -}}
{{- $cluster := deepCopy $settings.cluster -}}
{{- if eq $mode "controller" -}}
{{- $controllers := list -}}
{{- range $namesrvs }}{{ $controllers = append $controllers (printf "%s:%v" .host $.Values.nameserver.controllerPort) }}{{ end -}}
{{- $_ := set $cluster "CONTROLLER_ADDR" (join ";" $controllers) -}}
{{- end -}}

{{- /* Groups beyond the mode's (broker.groups) repeat its first group's nodes under the next letter. */ -}}
{{- $brokers := list -}}
{{- $index := 0 -}}
{{- range $g := until $groupCount -}}
{{- $inFile := lt $g (len $settings.groups) -}}
{{- $source := index $settings.groups (ternary $g 0 $inFile) -}}
{{- $group := ternary $source.name (printf "broker-%s" (substr $g (add1 $g | int) "abcdefghijklmnopqrstuvwxyz")) $inFile -}}
{{- $nodes := list -}}
{{- range $m := $source.nodes -}}
{{- $name := printf "%s%s" $group (trimPrefix $source.name $m.name) -}}
{{- $sts := printf "%s-%s" $full $name -}}
{{- $port := int $.Values.broker.port -}}
{{- if $external.enabled }}{{ $port = add (int $external.firstListenPort) (mul $index (int $external.portStep)) | int }}{{ end -}}
{{- /* On the host network two groups' members may share a node: each takes its own DLedger port. */ -}}
{{- $dledgerPort := int $.Values.broker.dledgerPort -}}
{{- if and $external.enabled (eq $external.type "hostNetwork") }}{{ $dledgerPort = add $port 10000 | int }}{{ end -}}
{{- $nodes = append $nodes (dict "name" $name "sts" $sts "host" (printf "%s-0.%s.%s" $sts $brSvc $domain) "port" $port "dledgerPort" $dledgerPort "env" (merge (dict "BROKER_NAME" $group) (deepCopy $m.env))) -}}
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
