# The fuzz harnesses: tests/fuzz/<name>.c each, with tests/fuzz/corpus/<name>/ and
# tests/fuzz/regressions/<name>/. Read by CMakeLists.txt (VP_FUZZ=ON: libFuzzer targets
# fuzz_<name>), tests/CMakeLists.txt (ctest fuzz_replay_<name>) and scripts/fuzz.
set(VP_FUZZ_HARNESSES json normalizer verify pdf ledger snapshot findings config tsa cms sample)
