#![no_main]

#[global_allocator]
static ALLOC: artmls_fuzz_targets::CountingAlloc = artmls_fuzz_targets::CountingAlloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| artmls_fuzz_targets::decode_welcome(data));
