//! What the `socketio` fuzz target (`fuzz/fuzz_targets/socketio.rs`) checks, here so that
//! the ordinary tests replay its committed corpus (`fuzz/corpus/socketio/`) through the
//! same code. Compiled for tests and with the `fuzzing` feature.
//!
//! It decodes client traffic the way the server does: Engine.IO v4 frames (a polling
//! body separates them with 0x1e; a websocket sends one per message), the Socket.IO
//! packet in each with socketioxide's default parser (binary frames completing a binary
//! event), then the payloads this service reads: the handshake's `auth` ([`Handshake`]),
//! and `battle:join`/`battle:leave` ([`JoinRequest`], [`LeaveRequest`]).

use contracts::realtime::{JoinRequest, LeaveRequest};
use engineioxide_core::{Packet as EnginePacket, ProtocolVersion};
use socketioxide_core::Value;
use socketioxide_core::packet::{Packet, PacketData};
use socketioxide_core::parser::{Parse, ParseConfig, ParserState};
use socketioxide_parser_common::CommonParser;

use crate::handlers::Handshake;

/// Beyond not panicking: an Engine.IO frame that parses is re-encoded to one that parses
/// to the same packet; a text Socket.IO packet that decodes (with a JSON payload) is
/// encoded to one that decodes to the same packet; a join or leave request that decodes serialises to JSON
/// that reads back to the same request.
pub fn socketio(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let config = ParseConfig::default();
    let state = ParserState::default();
    for frame in text.split('\u{1e}') {
        let Ok(packet) = EnginePacket::parse(ProtocolVersion::V4, frame.to_owned()) else {
            continue;
        };
        let encoded = String::from(packet.clone());
        let again = EnginePacket::parse(ProtocolVersion::V4, encoded.clone());
        assert_eq!(
            again.ok(),
            Some(packet.clone()),
            "engine.io frame {encoded:?}"
        );
        let decoded = match packet {
            EnginePacket::Message(message) => CommonParser.decode_str(&config, &state, message),
            EnginePacket::Binary(binary) => CommonParser.decode_bin(&config, &state, binary),
            _ => continue,
        };
        if let Ok(packet) = decoded {
            round_trip(&config, &packet);
            payloads(packet);
        }
    }
}

/// A packet without attachments whose payload is JSON encodes to text that decodes to the
/// same packet. The parser keeps a payload as raw text, checked only when a handler reads
/// it, so a payload that is not JSON is never read (every extractor refuses it) and may
/// re-encode as another packet: `242/admin,7[…` decodes as an event on `/` whose payload
/// is `/admin,7[…`, which encodes as `2/admin,7[…`, an event on `/admin` with ack 7
/// (found by this target).
fn round_trip(config: &ParseConfig, packet: &Packet) {
    let payload = match &packet.inner {
        PacketData::Connect(value) => value.as_ref(),
        PacketData::Event(value, _)
        | PacketData::EventAck(value, _)
        | PacketData::BinaryEvent(value, _)
        | PacketData::BinaryAck(value, _) => Some(value),
        PacketData::Disconnect | PacketData::ConnectError(_) => None,
    };
    if let Some(text) = payload.and_then(Value::as_str)
        && serde_json::from_str::<serde_json::Value>(text.as_str()).is_err()
    {
        return;
    }
    let Value::Str(text, None) = CommonParser.encode(packet.clone()) else {
        return;
    };
    let again = CommonParser.decode_str(config, &ParserState::default(), text.clone());
    assert_eq!(
        again.ok().as_ref(),
        Some(packet),
        "socket.io packet {text:?}"
    );
}

/// The payloads the handlers read, decoded as their extractors do.
fn payloads(packet: Packet) {
    match packet.inner {
        PacketData::Connect(auth) => {
            let _: Result<Handshake, _> = CommonParser.decode_default(auth.as_ref());
        }
        PacketData::Event(value, _) | PacketData::BinaryEvent(value, _) => {
            if CommonParser.read_event(&value).is_err() {
                return;
            }
            let mut join_value = value.clone();
            if let Ok(request) = CommonParser.decode_value::<JoinRequest>(&mut join_value, true) {
                let json = serde_json::to_string(&request).expect("serialising a request");
                let back: JoinRequest = serde_json::from_str(&json).expect("reading it back");
                assert_eq!(back, request);
            }
            let mut leave_value = value;
            if let Ok(request) = CommonParser.decode_value::<LeaveRequest>(&mut leave_value, true) {
                let json = serde_json::to_string(&request).expect("serialising a request");
                let back: LeaveRequest = serde_json::from_str(&json).expect("reading it back");
                assert_eq!(back, request);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    /// The committed fuzz corpus, replayed on every `cargo test` (no libFuzzer needed).
    #[test]
    fn fuzz_corpus_socketio() {
        testkit::fuzz::replay_corpus("socketio", super::socketio);
    }

    /// What the fuzz target found: digits before a namespace make an event whose payload
    /// is not JSON. Nothing the handlers use reads it (so the round trip is not required).
    #[test]
    fn an_event_whose_payload_is_not_json_is_read_by_no_handler() {
        use super::*;
        let frame = "242/admin,7[\"battle:join\",{\"battle_id\":\"x\"}]";
        let packet = CommonParser
            .decode_str(
                &ParseConfig::default(),
                &ParserState::default(),
                frame.to_owned().into(),
            )
            .expect("the parser takes it");
        let PacketData::Event(value, None) = packet.inner else {
            panic!("an event without ack: {packet:?}");
        };
        assert!(CommonParser.read_event(&value).is_err());
        let mut join = value.clone();
        assert!(
            CommonParser
                .decode_value::<JoinRequest>(&mut join, true)
                .is_err()
        );
        let mut leave = value;
        assert!(
            CommonParser
                .decode_value::<LeaveRequest>(&mut leave, true)
                .is_err()
        );
    }
}
