{{/* Labels on every object; meshctl install renders the same (src/MeshNet.Cli/Install/InstallNames.cs). */}}
{{- define "meshnet.labels" -}}
app.kubernetes.io/name: meshnet-control
app.kubernetes.io/part-of: meshnet
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "meshnet.selector" -}}
app.kubernetes.io/name: meshnet-control
{{- end -}}
