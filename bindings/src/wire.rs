//! The wire format: a 16-byte message header like FIDL's and a small little-endian codec.
//!
//! Every message on a bound channel is `header ‖ body`:
//!
//! | bytes  | field     | meaning                                                            |
//! |--------|-----------|--------------------------------------------------------------------|
//! | 0..4   | `txid`    | u32 LE: a two-way call's transaction id (never 0); 0 for one-way  |
//! |        |           | messages, events and epitaphs                                      |
//! | 4..7   | `flags`   | `[u8; 3]`: at-rest flags; [`FLAGS`] on send, ignored on receive    |
//! | 7      | `magic`   | [`MAGIC`] (1); any other value is a decode error                   |
//! | 8..16  | `ordinal` | u64 LE: which method or event; [`EPITAPH_ORDINAL`] for an epitaph |
//!
//! The body is the message's payload encoded with [`Encode`]: fixed-width integers little-endian,
//! `bool` as one byte (0 or 1, anything else is an error), strings and vectors as a u32 LE
//! length then the elements, `Option` as a one-byte tag then the value, tuples and structs field
//! by field. A body must be consumed exactly: trailing bytes are a decode error. An epitaph's
//! body is the i32 LE status and 4 bytes of padding.
//!
//! Why hand-rolled rather than serde plus a binary format crate: the header is fixed by the
//! protocol (a format crate would not lay it out FIDL's way), payloads here are small plain
//! data, and owning the decoder lets every malformed input map to one precise outcome — a
//! [`DecodeError`], which the bindings turn into a decode-error teardown — with no panics and
//! no dependency. Messages carry no handles; handles that arrive with one are closed.

use zxsim_syscalls::zx::Status;

/// Size of the message header.
pub const HEADER_SIZE: usize = 16;
/// The header's magic number (FIDL's wire-format magic).
pub const MAGIC: u8 = 1;
/// At-rest flags written on every message (FIDL's "wire format v2" bit).
pub const FLAGS: [u8; 3] = [2, 0, 0];
/// The ordinal of an epitaph: the last message a server sends before closing its end.
pub const EPITAPH_ORDINAL: u64 = u64::MAX;

/// A decoded message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub txid: u32,
    pub flags: [u8; 3],
    pub ordinal: u64,
}

impl Header {
    pub fn new(txid: u32, ordinal: u64) -> Header {
        Header {
            txid,
            flags: FLAGS,
            ordinal,
        }
    }

    /// Appends the 16 header bytes to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.txid.to_le_bytes());
        out.extend_from_slice(&self.flags);
        out.push(MAGIC);
        out.extend_from_slice(&self.ordinal.to_le_bytes());
    }

    /// Splits a message into its header and body.
    pub fn decode(message: &[u8]) -> Result<(Header, &[u8]), DecodeError> {
        if message.len() < HEADER_SIZE {
            return Err(DecodeError::Truncated);
        }
        if message[7] != MAGIC {
            return Err(DecodeError::BadMagic(message[7]));
        }
        let header = Header {
            txid: u32::from_le_bytes(message[0..4].try_into().expect("4 bytes")),
            flags: [message[4], message[5], message[6]],
            ordinal: u64::from_le_bytes(message[8..16].try_into().expect("8 bytes")),
        };
        Ok((header, &message[HEADER_SIZE..]))
    }
}

/// Why a message could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The message or a field ended early.
    Truncated,
    /// The header's magic byte was not [`MAGIC`].
    BadMagic(u8),
    /// Bytes were left after the body's last field.
    TrailingBytes,
    /// A `bool` or `Option` tag that is neither 0 nor 1.
    BadTag(u8),
    /// A string that is not UTF-8.
    BadUtf8,
}

impl DecodeError {
    /// The status a decode error is reported with (FIDL reports `INVALID_ARGS`).
    pub fn status(self) -> Status {
        Status::INVALID_ARGS
    }
}

/// Reads fields off the front of a body.
pub struct Decoder<'a> {
    bytes: &'a [u8],
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// Fails unless every byte was consumed.
    pub fn finish(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

/// A payload's encoding (see the module doc for the layout of each type).
pub trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

/// A payload's decoding; never panics on malformed input.
pub trait Decode: Sized {
    fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError>;
}

/// What a message payload must be: encodable, decodable, and movable to a dispatcher thread.
pub trait Payload: Encode + Decode + Send + 'static {}
impl<T: Encode + Decode + Send + 'static> Payload for T {}

/// Decodes a whole body as one `T`.
pub fn decode_body<T: Decode>(body: &[u8]) -> Result<T, DecodeError> {
    let mut decoder = Decoder::new(body);
    let value = T::decode(&mut decoder)?;
    decoder.finish()?;
    Ok(value)
}

/// Encodes `header ‖ payload` into `out` (cleared first).
pub fn encode_message<T: Encode + ?Sized>(out: &mut Vec<u8>, header: Header, payload: &T) {
    out.clear();
    header.encode(out);
    payload.encode(out);
}

macro_rules! int_codec {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
                Ok(<$t>::from_le_bytes(decoder.array()?))
            }
        }
    )*};
}
int_codec!(u8, u16, u32, u64, i8, i16, i32, i64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}
impl Decode for bool {
    fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        match u8::decode(decoder)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(DecodeError::BadTag(tag)),
        }
    }
}

impl Encode for () {
    fn encode(&self, _out: &mut Vec<u8>) {}
}
impl Decode for () {
    fn decode(_decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Ok(())
    }
}

/// A collection's length; a length that does not fit in u32 cannot be sent (the channel's
/// message limit is far smaller), so it is clamped and the message fails the kernel's size check.
fn encode_len(len: usize, out: &mut Vec<u8>) {
    u32::try_from(len).unwrap_or(u32::MAX).encode(out);
}

impl Encode for str {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        out.extend_from_slice(self.as_bytes());
    }
}
impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_str().encode(out);
    }
}
impl Decode for String {
    fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let len = u32::decode(decoder)? as usize;
        let bytes = decoder.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| DecodeError::BadUtf8)
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        for item in self {
            item.encode(out);
        }
    }
}
impl<T: Decode> Decode for Vec<T> {
    fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let len = u32::decode(decoder)? as usize;
        // The claimed length is untrusted: reserve no more than the bytes left could hold.
        let mut items = Vec::with_capacity(len.min(decoder.bytes.len()));
        for _ in 0..len {
            items.push(T::decode(decoder)?);
        }
        Ok(items)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode(out);
            }
        }
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        match u8::decode(decoder)? {
            0 => Ok(None),
            1 => Ok(Some(T::decode(decoder)?)),
            tag => Err(DecodeError::BadTag(tag)),
        }
    }
}

macro_rules! tuple_codec {
    ($($name:ident),+) => {
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
        }
        impl<$($name: Decode),+> Decode for ($($name,)+) {
            fn decode(decoder: &mut Decoder<'_>) -> Result<Self, DecodeError> {
                Ok(($($name::decode(decoder)?,)+))
            }
        }
    };
}
tuple_codec!(A);
tuple_codec!(A, B);
tuple_codec!(A, B, C);
tuple_codec!(A, B, C, D);

/// An epitaph message: header with [`EPITAPH_ORDINAL`], then the status and padding.
pub(crate) fn encode_epitaph(out: &mut Vec<u8>, status: Status) {
    encode_message(
        out,
        Header::new(0, EPITAPH_ORDINAL),
        &(status.into_raw(), 0u32),
    );
}

/// The status an epitaph body carries.
pub(crate) fn decode_epitaph(body: &[u8]) -> Result<Status, DecodeError> {
    let (status, _padding): (i32, u32) = decode_body(body)?;
    Ok(Status::from_raw(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_is_fidls() {
        let mut out = Vec::new();
        encode_message(
            &mut out,
            Header::new(0x0102_0304, 0x1122_3344_5566_7788),
            &(),
        );
        assert_eq!(
            out,
            [4, 3, 2, 1, 2, 0, 0, 1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        );
        let (header, body) = Header::decode(&out).unwrap();
        assert_eq!(header, Header::new(0x0102_0304, 0x1122_3344_5566_7788));
        assert!(body.is_empty());
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        assert_eq!(Header::decode(&[0; 15]), Err(DecodeError::Truncated));
        let mut bad_magic = [0u8; 16];
        bad_magic[7] = 7;
        assert_eq!(Header::decode(&bad_magic), Err(DecodeError::BadMagic(7)));
        assert_eq!(decode_body::<u32>(&[1, 2, 3]), Err(DecodeError::Truncated));
        assert_eq!(
            decode_body::<u32>(&[1, 2, 3, 4, 5]),
            Err(DecodeError::TrailingBytes)
        );
        assert_eq!(decode_body::<bool>(&[2]), Err(DecodeError::BadTag(2)));
        assert_eq!(
            decode_body::<String>(&[2, 0, 0, 0, 0xff, 0xfe]),
            Err(DecodeError::BadUtf8)
        );
        // A huge claimed length with no bytes behind it.
        assert_eq!(
            decode_body::<Vec<u64>>(&[0xff, 0xff, 0xff, 0xff]),
            Err(DecodeError::Truncated)
        );
    }

    #[test]
    fn payloads_round_trip() {
        let value = (
            "héllo".to_string(),
            vec![1u16, 2, 3],
            Some(-5i64),
            (true, None::<u8>),
        );
        let mut out = Vec::new();
        value.0.encode(&mut out);
        value.1.encode(&mut out);
        value.2.encode(&mut out);
        value.3.encode(&mut out);
        let decoded: (String, Vec<u16>, Option<i64>, (bool, Option<u8>)) =
            decode_body(&out).unwrap();
        assert_eq!(decoded, value);
        let mut epitaph = Vec::new();
        encode_epitaph(&mut epitaph, Status::PEER_CLOSED);
        let (header, body) = Header::decode(&epitaph).unwrap();
        assert_eq!(header.ordinal, EPITAPH_ORDINAL);
        assert_eq!(decode_epitaph(body), Ok(Status::PEER_CLOSED));
    }
}
