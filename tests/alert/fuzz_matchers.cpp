// libFuzzer entry point for the matcher parser: whatever text a route, silence or API request
// holds, parse_matchers must return a list or an error, never crash, hang or throw; and every
// parsed matcher must print to text that parses back to an equal matcher.
//
// Not built by default; for example:
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Isrc/alert/include -Isrc/core/include
//     tests/alert/fuzz_matchers.cpp src/alert/*.cpp src/core/*.cpp
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sloe/alert/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto matchers = sloe::alert::parse_matchers(text);
  if (!matchers.ok()) {
    if (matchers.error().message.empty())
      __builtin_trap();
    return 0;
  }
  const sloe::Labels labels = {{"alertname", std::string(text.substr(0, 64))}};
  for (const sloe::alert::Matcher& matcher : *matchers) {
    (void)matcher.matches(labels);
    const auto reparsed = sloe::alert::parse_matcher(matcher.to_string());
    if (!reparsed.ok() || !(*reparsed == matcher))
      __builtin_trap();
  }
  return 0;
}
