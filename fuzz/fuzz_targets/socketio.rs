//! Client Socket.IO traffic: Engine.IO frames, Socket.IO packets, the handshake and battle:join/leave payloads.
//! The checks are `realtime::fuzzing::socketio` (its tests replay corpus/socketio/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| realtime::fuzzing::socketio(data));
