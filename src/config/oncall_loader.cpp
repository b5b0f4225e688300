// alerts/*.yaml -> on-call documents -> OncallConfig. Until the main loader reads alerts/ itself
// (and hands documents without `route:` to parse_oncall_document), this is how `sloe oncall`
// and `sloe check` read the on-call configuration.
#include "sloe/config/oncall_loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "parse_oncall.h"
#include "reader.h"

namespace sloe::config {
namespace {

namespace fs = std::filesystem;

// Notes where each document starts; see find_stuck_document().
class DocumentStarts final : public YAML::EventHandler {
 public:
  YAML::Mark start;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 loops forever in LoadAll on a stray token after a document (jbeder/yaml-cpp#1040);
// the same guard as loader.cpp: every document must start after the previous one.
std::optional<YAML::Mark> find_stuck_document(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts events;
  int previous = -1;
  while (parser.HandleNextDocument(events)) {
    if (events.start.pos <= previous)
      return events.start;
    previous = events.start.pos;
  }
  return std::nullopt;
}

bool has_route_key(const YAML::Node& document) {
  if (!document.IsMap())
    return false;
  for (const auto& entry : document) {
    const YAML::Node key = entry.first;
    if (key.IsScalar() && key.Scalar() == "route")
      return true;
  }
  return false;
}

class OncallLoader {
 public:
  void add_file(const std::string& name, const std::string& text) {
    file_order_.push_back(name);
    detail::Reader reader(name, &diagnostics_);
    std::vector<YAML::Node> documents;
    try {
      if (const auto stuck = find_stuck_document(text)) {
        const auto at = static_cast<std::size_t>(stuck->pos);
        const std::string token = at < text.size() ? std::string(1, text[at]) : "end of file";
        reader.error(reader.location(stuck->line, stuck->column),
                     "YAML syntax error: unexpected '" + token + "'");
        return;
      }
      documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
      reader.error(reader.location(e.mark.line, e.mark.column), "YAML syntax error: " + e.msg);
      return;
    }
    for (const YAML::Node& document : documents) {
      if (has_route_key(document))
        continue;  // Alertmanager configuration
      try {
        detail::parse_oncall_document(reader, document, &parsed_);
      } catch (const YAML::Exception& e) {
        reader.error(reader.location(document),
                     std::string("could not read document: ") + e.what());
      }
    }
  }

  void add_file_error(const std::string& name, std::string message) {
    file_order_.push_back(name);
    diagnostics_.push_back(
        Diagnostic{Diagnostic::Severity::kError, SourceLocation{name, 0, 0}, std::move(message)});
  }

  OncallLoadResult finish() {
    oncall::OncallConfig config = detail::check_oncall(parsed_, &diagnostics_);
    const auto file_rank = [this](const std::string& file) {
      return std::find(file_order_.begin(), file_order_.end(), file) - file_order_.begin();
    };
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) {
                       const auto ra = file_rank(a.location.file);
                       const auto rb = file_rank(b.location.file);
                       if (ra != rb)
                         return ra < rb;
                       if (a.location.line != b.location.line)
                         return a.location.line < b.location.line;
                       return a.location.column < b.location.column;
                     });
    OncallLoadResult result;
    result.diagnostics = std::move(diagnostics_);
    const bool has_error =
        std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });
    if (!has_error)
      result.oncall = std::move(config);
    return result;
  }

 private:
  std::vector<Diagnostic> diagnostics_;
  std::vector<std::string> file_order_;
  detail::ParsedOncall parsed_;
};

bool is_config_file(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml";
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

}  // namespace

OncallLoadResult load_oncall_from_strings(
    const std::vector<std::pair<std::string, std::string>>& files) {
  OncallLoader loader;
  for (const auto& [name, text] : files)
    loader.add_file(name, text);
  return loader.finish();
}

OncallLoadResult load_oncall(const std::string& dir) {
  OncallLoader loader;
  const fs::path alerts_dir = (fs::path(dir.empty() ? "." : dir) / "alerts").lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(alerts_dir, ec))
    return loader.finish();  // no alerts/: nobody is on call, which is valid
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(alerts_dir, fs::directory_options::skip_permission_denied,
                                      ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (is_hidden(path)) {
      if (it->is_directory(ec))
        it.disable_recursion_pending();
      continue;
    }
    if (is_config_file(path) && it->is_regular_file(ec))
      files.push_back(path);
  }
  if (ec) {
    loader.add_file_error(alerts_dir.generic_string(), "cannot list files: " + ec.message());
    return loader.finish();
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    const std::string name = path.lexically_normal().generic_string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      loader.add_file_error(name, std::string("cannot read file: ") + std::strerror(errno));
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    loader.add_file(name, text.str());
  }
  return loader.finish();
}

}  // namespace sloe::config
