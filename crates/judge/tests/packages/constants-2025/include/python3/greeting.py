GREETING = "{{greeting}}"
