//! A first pass over a YAML store that refuses shapes which make parsing slow, before the full
//! parse sees them.
//!
//! libyaml's scanner does work proportional to the flow nesting depth for every token, so a
//! store of 200,000 nested `[` took minutes to refuse; every node costs the full parse about a
//! microsecond (the release build optimises for size), so 500,000 one-letter scalars take most
//! of a second; and aliases make the deserializer visit a node many times over (a "billion
//! laughs"). This pass reads the same parser's events, without building anything, and stops at
//! the first node nested deeper than [`MAX_DEPTH`], or once the store holds more than
//! [`MAX_NODES`] nodes counting what aliases repeat. Being the same parser, it sees exactly what
//! the full parse would; stopping early keeps its own cost bounded. Syntax errors are left to
//! the full parse, which reports them with their context.

use std::collections::HashMap;
use std::ffi::CStr;
use std::mem::MaybeUninit;
use unsafe_libyaml_norway as unsafe_sys;

/// Deepest nesting of mappings and sequences a store may have. A profile store needs about ten
/// (`profiles.NAME.policy.Statement[0].Condition.…`).
pub(super) const MAX_DEPTH: usize = 64;

/// Most mappings, sequences and scalars a store may hold, aliases counting as the nodes they
/// repeat: some 2,000 profiles' worth, where a team's store has tens.
pub(super) const MAX_NODES: u64 = 20_000;

/// Why a store was refused, and the 1-based line and column of the node where it was seen.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) line: u64,
    pub(super) column: u64,
    pub(super) message: String,
}

/// Checks the nesting depth and node count of `text`; `Ok` also when it is not valid YAML.
pub(super) fn check(text: &str) -> Result<(), Refusal> {
    let mut parser = Parser::new(text.as_bytes());
    // Nodes opened and not yet closed: their anchor and their size so far (aliases expanded).
    let mut open: Vec<(Option<Vec<u8>>, u64)> = Vec::new();
    let mut sizes: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut nodes = 0u64;
    while let Some(event) = parser.next() {
        let (line, column) = (event.start_mark.line + 1, event.start_mark.column + 1);
        // SAFETY: each union field is read only for the event type that defines it, and the
        // anchor pointers are null or NUL-terminated strings owned by the event.
        let (anchor, size) = unsafe {
            match event.type_ {
                unsafe_sys::YAML_SEQUENCE_START_EVENT | unsafe_sys::YAML_MAPPING_START_EVENT => {
                    let anchor = if event.type_ == unsafe_sys::YAML_SEQUENCE_START_EVENT {
                        event.data.sequence_start.anchor
                    } else {
                        event.data.mapping_start.anchor
                    };
                    open.push((owned(anchor), 1));
                    if open.len() > MAX_DEPTH {
                        let message = format!(
                            "mappings and sequences nested deeper than {MAX_DEPTH} levels; a profile store needs a few"
                        );
                        return Err(Refusal { line, column, message });
                    }
                    nodes += 1;
                    if nodes > MAX_NODES {
                        return Err(too_many(line, column));
                    }
                    continue;
                }
                unsafe_sys::YAML_SEQUENCE_END_EVENT | unsafe_sys::YAML_MAPPING_END_EVENT => match open.pop() {
                    Some(node) => node,
                    None => continue,
                },
                unsafe_sys::YAML_SCALAR_EVENT => (owned(event.data.scalar.anchor), 1),
                unsafe_sys::YAML_ALIAS_EVENT => {
                    let size = owned(event.data.alias.anchor).and_then(|a| sizes.get(&a).copied()).unwrap_or(1);
                    (None, size)
                }
                _ => continue,
            }
        };
        if event.type_ != unsafe_sys::YAML_SEQUENCE_END_EVENT && event.type_ != unsafe_sys::YAML_MAPPING_END_EVENT {
            nodes = nodes.saturating_add(size);
            if nodes > MAX_NODES {
                return Err(too_many(line, column));
            }
        }
        if let Some(anchor) = anchor {
            sizes.insert(anchor, size);
        }
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(size);
        }
    }
    Ok(())
}

/// The refusal of a store with more than [`MAX_NODES`] nodes.
fn too_many(line: u64, column: u64) -> Refusal {
    let message = format!(
        "more than {MAX_NODES} mappings, sequences and scalars (aliases counting as what they repeat); \
         a profile store needs a few hundred: split it, or share fewer values through aliases"
    );
    Refusal { line, column, message }
}

/// A copy of a libyaml string, `None` for a null pointer.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string.
unsafe fn owned(ptr: *const u8) -> Option<Vec<u8>> {
    // SAFETY: guaranteed by the caller.
    (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr.cast()) }.to_bytes().to_vec())
}

/// libyaml's event parser over a byte slice, freed on drop.
struct Parser<'input> {
    sys: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
    /// The parser reads from this slice, so it lives as long as the parser.
    _input: &'input [u8],
    done: bool,
}

impl<'input> Parser<'input> {
    fn new(input: &'input [u8]) -> Parser<'input> {
        let mut sys = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
        // SAFETY: initialize zeroes and sets up the struct; it only fails when out of memory,
        // which aborts in Rust's allocator first. The input outlives the parser.
        let done = unsafe {
            let parser = sys.as_mut_ptr();
            let failed = unsafe_sys::yaml_parser_initialize(parser).fail;
            if !failed {
                unsafe_sys::yaml_parser_set_encoding(parser, unsafe_sys::YAML_UTF8_ENCODING);
                unsafe_sys::yaml_parser_set_input_string(parser, input.as_ptr(), input.len() as u64);
            }
            failed
        };
        Parser { sys, _input: input, done }
    }

    /// The next event (with its data already copied out where needed), or `None` at the end of
    /// the stream or at a syntax error.
    fn next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised; a successful parse initialises the event, which is
        // deleted once copied.
        unsafe {
            if unsafe_sys::yaml_parser_parse(self.sys.as_mut_ptr(), event.as_mut_ptr()).fail {
                self.done = true;
                return None;
            }
            let event = Event(event.assume_init());
            if event.type_ == unsafe_sys::YAML_STREAM_END_EVENT {
                self.done = true;
            }
            Some(event)
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: the parser was initialised in `new` (a failed initialisation frees what it made
        // and leaves null pointers, which delete skips).
        unsafe { unsafe_sys::yaml_parser_delete(self.sys.as_mut_ptr()) }
    }
}

/// One parser event, deleted on drop.
struct Event(unsafe_sys::yaml_event_t);

impl std::ops::Deref for Event {
    type Target = unsafe_sys::yaml_event_t;

    fn deref(&self) -> &unsafe_sys::yaml_event_t {
        &self.0
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        // SAFETY: the event was initialised by a successful parse.
        unsafe { unsafe_sys::yaml_event_delete(&mut self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "profiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n    policy: ";

    fn refusal(text: &str) -> Refusal {
        check(text).expect_err("refused")
    }

    #[test]
    fn ordinary_stores_and_broken_yaml_pass() {
        assert_eq!(check(include_str!("../../test-data/design-example.yml")), Ok(()));
        assert_eq!(check(&format!("{HEAD}{}{}\n", "[".repeat(MAX_DEPTH - 4), "]".repeat(MAX_DEPTH - 4))), Ok(()));
        assert_eq!(check("profiles: [\n"), Ok(()), "syntax errors are the full parse's to report");
        assert_eq!(check("a: &x {b: 1}\nc: *x\nd: *nope\n"), Ok(()));
    }

    #[test]
    fn deep_flow_and_block_nesting_is_refused_where_it_passes_the_limit() {
        for deep in [
            format!("{HEAD}{}\n", "[".repeat(200_000)),
            format!("{HEAD}{}\n", "{a: ".repeat(100_000)),
            format!("{HEAD}{}{}\n", "[".repeat(1000), "]".repeat(1000)),
        ] {
            let refused = refusal(&deep);
            assert_eq!(refused.line, 4);
            assert!(refused.message.contains("deeper than 64 levels"), "{refused:?}");
        }
        let block: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let refused = refusal(&block);
        assert_eq!((refused.line, refused.column), (MAX_DEPTH as u64 + 1, MAX_DEPTH as u64 + 1));
    }

    #[test]
    fn a_store_may_nest_64_levels_and_hold_20000_nodes_and_no_more() {
        // HEAD opens three mappings and the sequences one level each.
        let nested = |levels: usize| format!("{HEAD}{}{}\n", "[".repeat(levels - 3), "]".repeat(levels - 3));
        assert_eq!(check(&nested(MAX_DEPTH)), Ok(()));
        let refused = refusal(&nested(MAX_DEPTH + 1));
        assert_eq!((refused.line, refused.column), (4, 13 + MAX_DEPTH as u64 - 3));
        // HEAD and the sequence are 9 nodes; each `a` one more.
        let wide = |nodes: u64| format!("{HEAD}[{}]\n", "a, ".repeat(nodes as usize - 9));
        assert_eq!(check(&wide(MAX_NODES)), Ok(()));
        assert!(refusal(&wide(MAX_NODES + 1)).message.contains("more than 20000"));
        let wide_maps = |nodes: u64| format!("{HEAD}[{}]\n", "{}, ".repeat(nodes as usize - 9));
        assert_eq!(check(&wide_maps(MAX_NODES)), Ok(()));
        assert!(refusal(&wide_maps(MAX_NODES + 1)).message.contains("more than 20000"));
    }

    #[test]
    fn too_many_nodes_are_refused_counting_what_aliases_repeat() {
        let wide = format!("{HEAD}[{}]\n", "a, ".repeat(MAX_NODES as usize));
        assert!(refusal(&wide).message.contains("more than 20000"));
        let fits = format!("{HEAD}[{}]\n", "a, ".repeat(MAX_NODES as usize - 100));
        assert_eq!(check(&fits), Ok(()));
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..8 {
            let below = format!("*a{}", level - 1);
            laughs.push_str(&format!("a{level}: &a{level} [{}]\n", [below.as_str(); 10].join(", ")));
        }
        let refused = refusal(&laughs);
        assert!(refused.message.contains("more than 20000 mappings, sequences and scalars"), "{refused:?}");
        assert_eq!(refused.line, 5, "the alias that passes the limit");
        assert_eq!(check("base: &b {roleArn: x, region: us-east-1}\nother: *b\nthird: *b\n"), Ok(()));
    }

    #[test]
    fn checking_a_store_frees_what_the_parser_allocated() {
        // A process that reads its store again and again (a long `exec --server`) must not grow.
        let stores = [
            include_str!("../../test-data/design-example.yml").to_owned(),
            "a: &x {b: 1}\nc: *x\n".to_owned(),
            "profiles: [\n".to_owned(),
            format!("{HEAD}{}\n", "[".repeat(1000)),
        ];
        let check_all = || stores.iter().map(|text| check(text).is_ok()).collect::<Vec<_>>();
        let first = check_all();
        let before = crate::live_bytes::live_bytes();
        for _ in 0..3 {
            drop(check_all());
        }
        assert_eq!(crate::live_bytes::live_bytes(), before, "bytes left behind by three checks of {first:?}");
    }
}
