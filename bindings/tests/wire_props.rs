//! Property tests of the wire codec against its reference model (the Rust values themselves):
//! every value round-trips, and no byte string makes a decoder panic — malformed input is a
//! `DecodeError`.

use proptest::prelude::*;
use zxsim_bindings::wire::{decode_body, encode_message, Encode, Header, HEADER_SIZE};

type Body = (String, Vec<u32>, Option<i64>, (bool, Vec<String>));

fn encode<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

proptest! {
    #[test]
    fn payloads_round_trip(
        value in (
            ".*",
            proptest::collection::vec(any::<u32>(), 0..16),
            any::<Option<i64>>(),
            (any::<bool>(), proptest::collection::vec(".{0,8}", 0..4)),
        )
    ) {
        let bytes = encode(&value);
        prop_assert_eq!(decode_body::<Body>(&bytes), Ok(value));
    }

    #[test]
    fn messages_round_trip(txid in any::<u32>(), ordinal in any::<u64>(), text in ".*") {
        let mut message = Vec::new();
        encode_message(&mut message, Header::new(txid, ordinal), &text);
        let (header, body) = Header::decode(&message).unwrap();
        prop_assert_eq!(header, Header::new(txid, ordinal));
        prop_assert_eq!(body.len(), message.len() - HEADER_SIZE);
        prop_assert_eq!(decode_body::<String>(body), Ok(text));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Header::decode(&bytes);
        let _ = decode_body::<Body>(&bytes);
        let _ = decode_body::<Vec<Option<u64>>>(&bytes);
        // A truncated valid body is always an error, never a shorter value.
        let valid = encode(&("abc".to_string(), vec![1u32, 2]));
        for cut in 0..valid.len() {
            prop_assert!(decode_body::<(String, Vec<u32>)>(&valid[..cut]).is_err());
        }
    }
}
