#define GREETING "{{greeting}}"
