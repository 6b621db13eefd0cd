{{- define "custody.labels" -}}
app.kubernetes.io/name: custody
app.kubernetes.io/part-of: custody
{{- end -}}
