//! `GET /api/auth/openapi.json`: the OpenAPI 3.1 description of this service.

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn tokens(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}
    })
}

pub fn spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "CodeArena auth service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Accounts, sessions and access tokens. Errors are RFC 9457 problem documents with a stable `code`."
        },
        "paths": {
            "/api/auth/register": {"post": {
                "summary": "Create an account and start a session",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RegisterRequest"}}}},
                "responses": {
                    "201": tokens("Account created"),
                    "409": problem("`already_taken`: username or email in use"),
                    "413": problem("`payload_too_large`"),
                    "422": problem("`validation_failed` or `invalid_body`"),
                    "429": problem("`too_many_attempts`: too many accounts from this address; see `Retry-After`")
                }
            }},
            "/api/auth/login": {"post": {
                "summary": "Log in with username or email",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginRequest"}}}},
                "responses": {
                    "200": tokens("Logged in"),
                    "401": problem("`invalid_credentials`"),
                    "429": problem("`too_many_attempts`; see `Retry-After`")
                }
            }},
            "/api/auth/refresh": {"post": {
                "summary": "Exchange a refresh token for new tokens (rotation)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefreshRequest"}}}},
                "responses": {
                    "200": tokens("New tokens; the presented refresh token is now spent"),
                    "401": problem("`invalid_refresh_token`, or `refresh_token_reused` (the session is revoked)")
                }
            }},
            "/api/auth/logout": {"post": {
                "summary": "End the caller's session",
                "security": [{"bearer": []}],
                "responses": {"204": {"description": "Session ended"}, "401": problem("`missing_token` or `invalid_token`")}
            }},
            "/api/auth/me": {"get": {
                "summary": "The caller's account",
                "security": [{"bearer": []}],
                "responses": {
                    "200": {"description": "The account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                    "401": problem("`missing_token` or `invalid_token`")
                }
            }},
            "/api/auth/verify": {"get": {
                "summary": "Check an access token (service-to-service, nginx auth_request)",
                "security": [{"bearer": []}],
                "responses": {
                    "200": {
                        "description": "Valid; also sent as X-User-Id and X-Username headers",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Identity"}}}
                    },
                    "401": problem("`missing_token` or `invalid_token`")
                }
            }},
            "/api/auth/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {
                "RegisterRequest": {"type": "object", "required": ["username", "email", "password"], "properties": {
                    "username": {"type": "string", "pattern": "^[A-Za-z0-9_-]{3,32}$"},
                    "email": {"type": "string", "format": "email", "maxLength": 254},
                    "password": {"type": "string", "minLength": 8, "maxLength": 128}
                }},
                "LoginRequest": {"type": "object", "required": ["login", "password"], "properties": {
                    "login": {"type": "string", "description": "Username or email"},
                    "password": {"type": "string"}
                }},
                "RefreshRequest": {"type": "object", "required": ["refresh_token"], "properties": {"refresh_token": {"type": "string"}}},
                "User": {"type": "object", "required": ["id", "username", "email", "created_at"], "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "username": {"type": "string"},
                    "email": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"}
                }},
                "TokenResponse": {"type": "object", "required": ["access_token", "token_type", "expires_in", "refresh_token", "user"], "properties": {
                    "access_token": {"type": "string"},
                    "token_type": {"const": "Bearer"},
                    "expires_in": {"type": "integer", "description": "Seconds"},
                    "refresh_token": {"type": "string"},
                    "user": {"$ref": "#/components/schemas/User"}
                }},
                "Identity": {"type": "object", "required": ["user_id", "username", "session_id", "expires_at"], "properties": {
                    "user_id": {"type": "string", "format": "uuid"},
                    "username": {"type": "string"},
                    "session_id": {"type": "string", "format": "uuid"},
                    "expires_at": {"type": "integer", "description": "Unix seconds"}
                }},
                "Problem": {"type": "object", "required": ["type", "title", "status", "code"], "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_of_the_router_is_documented() {
        let spec = super::spec();
        let paths = spec["paths"].as_object().unwrap();
        for route in [
            "/api/auth/register",
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/logout",
            "/api/auth/me",
            "/api/auth/verify",
            "/api/auth/openapi.json",
        ] {
            assert!(paths.contains_key(route), "{route} missing from OpenAPI");
        }
        assert_eq!(
            paths.len(),
            7,
            "a documented path that the router does not serve"
        );
    }
}
