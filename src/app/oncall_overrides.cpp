#include "sloe/app/oncall_overrides.h"

#include <algorithm>
#include <random>

#include "sloe/core/text.h"
#include "sloe/core/time_format.h"
#include "sloe/oncall/schedule.h"
#include "sloe/store/override_store.h"

namespace sloe::app {
namespace {

constexpr std::size_t kIdHexDigits = 16;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The loader's "unknown user 'x'; did you mean 'y'?" message.
std::string unknown_name(const std::string& what, const std::string& name,
                         const std::vector<std::string>& defined) {
  std::string message = "unknown " + what + " '" + name + "'";
  const std::string suggestion = closest_match(name, defined);
  if (!suggestion.empty()) {
    message += "; did you mean '" + suggestion + "'?";
  } else if (defined.empty()) {
    message += " (no " + what + "s are defined)";
  } else {
    message += " (defined: " + join(defined) + ")";
  }
  return message;
}

template <typename Item>
std::vector<std::string> names_of(const std::vector<Item>& items) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const Item& item : items)
    names.push_back(item.name);
  std::sort(names.begin(), names.end());
  return names;
}

api::OverrideRefused invalid(std::string field, std::string message) {
  return api::OverrideRefused{api::Refusal::kInvalid, std::move(message), std::move(field)};
}

oncall::Override to_override(const api::OverrideRequest& request) {
  oncall::Override built;
  built.mode = request.mode == api::OverrideMode::kAdd ? oncall::Override::Mode::kAdd
                                                       : oncall::Override::Mode::kReplace;
  built.user = request.user;
  built.replaces = request.replaces;
  built.start = request.start;
  built.end = request.end;
  return built;
}

store::OverrideRecord to_record(const api::OverrideView& view) {
  const api::OverrideRequest& o = view.override;
  return store::OverrideRecord{view.id, o.schedule,   std::string(api::to_string(o.mode)),
                               o.user,  o.replaces,   o.start,
                               o.end,   o.created_by, view.created_at};
}

bool earlier(const api::OverrideView& a, const api::OverrideView& b) {
  if (a.override.start != b.override.start)
    return a.override.start < b.override.start;
  return a.id < b.id;
}

OncallOverrides::IdGenerator random_ids() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(kIdHexDigits, '0');
    std::uint64_t bits = (*engine)();
    for (char& c : id) {
      c = kHex[bits & 0xf];
      bits >>= 4;
    }
    return id;
  };
}

}  // namespace

Result<std::unique_ptr<OncallOverrides>> OncallOverrides::open(store::Database& db,
                                                               std::mutex& db_mutex,
                                                               oncall::OncallConfig configured,
                                                               IdGenerator next_id) {
  Result<std::vector<store::OverrideRecord>> loaded = Error{""};
  {
    const std::lock_guard db_lock(db_mutex);
    loaded = store::OverrideStore(db).load_all();
  }
  if (!loaded)
    return Error{"reading on-call overrides: " + loaded.error().message};
  std::vector<api::OverrideView> overrides;
  for (store::OverrideRecord& record : loaded.value()) {
    if (record.mode != "add" && record.mode != "replace")
      return Error{"stored on-call override " + record.id + " has unknown mode '" + record.mode +
                   "'"};
    api::OverrideRequest request{
        std::move(record.schedule),
        record.mode == "add" ? api::OverrideMode::kAdd : api::OverrideMode::kReplace,
        std::move(record.user),
        std::move(record.replaces),
        record.starts_at,
        record.ends_at,
        std::move(record.created_by)};
    overrides.push_back(
        api::OverrideView{std::move(record.id), std::move(request), record.created_at});
  }
  std::sort(overrides.begin(), overrides.end(), earlier);
  if (!next_id)
    next_id = random_ids();
  return std::unique_ptr<OncallOverrides>(new OncallOverrides(
      db, db_mutex, std::move(configured), std::move(overrides), std::move(next_id)));
}

OncallOverrides::OncallOverrides(store::Database& db, std::mutex& db_mutex,
                                 oncall::OncallConfig configured,
                                 std::vector<api::OverrideView> overrides, IdGenerator next_id)
    : db_(db),
      db_mutex_(db_mutex),
      configured_(std::move(configured)),
      overrides_(std::move(overrides)),
      next_id_(std::move(next_id)) {
  const std::lock_guard lock(mutex_);
  publish();
}

void OncallOverrides::publish() {
  auto config = std::make_shared<oncall::OncallConfig>(configured_);
  for (const api::OverrideView& view : overrides_) {
    for (oncall::Schedule& schedule : config->schedules) {
      if (schedule.name == view.override.schedule)
        schedule.overrides.push_back(to_override(view.override));
    }
  }
  current_ = std::move(config);
  if (listener_)
    listener_(current_);
}

std::shared_ptr<const oncall::OncallConfig> OncallOverrides::current() const {
  const std::lock_guard lock(mutex_);
  return current_;
}

void OncallOverrides::set_listener(Listener listener) {
  const std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
  if (listener_)
    listener_(current_);
}

void OncallOverrides::set_configured(oncall::OncallConfig configured) {
  const std::lock_guard lock(mutex_);
  configured_ = std::move(configured);
  publish();
}

std::vector<api::OverrideView> OncallOverrides::list() const {
  const std::lock_guard lock(mutex_);
  return overrides_;
}

std::optional<api::OverrideRefused> OncallOverrides::validate(const api::OverrideRequest& request,
                                                              TimePoint now) const {
  const oncall::Schedule* schedule = configured_.find_schedule(request.schedule);
  if (schedule == nullptr)
    return invalid("schedule",
                   unknown_name("schedule", request.schedule, names_of(configured_.schedules)));
  if (configured_.find_user(request.user) == nullptr)
    return invalid("user", unknown_name("user", request.user, names_of(configured_.users)));
  if (!request.replaces.empty()) {
    if (request.mode == api::OverrideMode::kAdd)
      return invalid("replaces",
                     "'replaces' does not apply to mode add: an added person "
                     "replaces nobody");
    if (configured_.find_user(request.replaces) == nullptr)
      return invalid("replaces",
                     unknown_name("user", request.replaces, names_of(configured_.users)));
    std::vector<std::string> members;
    for (const oncall::Layer& layer : schedule->layers) {
      const oncall::Rotation* rotation = configured_.find_rotation(layer.rotation);
      if (rotation == nullptr)
        continue;
      for (const std::string& user : rotation->users) {
        if (std::find(members.begin(), members.end(), user) == members.end())
          members.push_back(user);
      }
    }
    if (std::find(members.begin(), members.end(), request.replaces) == members.end()) {
      return invalid("replaces", "override replaces '" + request.replaces +
                                     "', who is in none of the rotations of schedule '" +
                                     request.schedule + "' (" +
                                     (members.empty() ? std::string("nobody") : join(members)) +
                                     "), so it would never take effect");
    }
  }
  if (request.end <= request.start) {
    return invalid("end", "override end " + format_rfc3339(request.end) +
                              " is not after its start " + format_rfc3339(request.start) +
                              "; the span is [start, end)");
  }
  if (request.end <= now) {
    return invalid("end", "override end " + format_rfc3339(request.end) + " is already past (now " +
                              format_rfc3339(now) + "), so it would never take effect");
  }
  if (request.created_by.empty())
    return invalid("created_by", "must not be empty: who made the override");
  return std::nullopt;
}

api::OverrideAnswer<std::string> OncallOverrides::add(const api::OverrideRequest& request,
                                                      TimePoint now) {
  const std::lock_guard lock(mutex_);
  if (auto refused = validate(request, now))
    return *refused;
  api::OverrideView view{next_id_(), request, now};
  for (const api::OverrideView& existing : overrides_) {
    if (existing.id == view.id)
      return api::OverrideRefused{api::Refusal::kUnavailable,
                                  "could not make a fresh override id; retry", ""};
  }
  Status saved;
  {
    const std::lock_guard db_lock(db_mutex_);
    saved = store::OverrideStore(db_).put(to_record(view));
  }
  if (!saved)
    return api::OverrideRefused{api::Refusal::kUnavailable, saved.error().message, ""};
  const auto at = std::upper_bound(overrides_.begin(), overrides_.end(), view, earlier);
  overrides_.insert(at, view);
  publish();
  return view.id;
}

api::OverrideAnswer<api::OverrideView> OncallOverrides::remove(std::string_view id) {
  const std::lock_guard lock(mutex_);
  const auto found = std::find_if(overrides_.begin(), overrides_.end(),
                                  [id](const api::OverrideView& view) { return view.id == id; });
  if (found == overrides_.end()) {
    return api::OverrideRefused{api::Refusal::kNotFound,
                                "no on-call override with id '" + std::string(id) + "'", "id"};
  }
  Status removed;
  {
    const std::lock_guard db_lock(db_mutex_);
    removed = store::OverrideStore(db_).remove({found->id});
  }
  if (!removed)
    return api::OverrideRefused{api::Refusal::kUnavailable, removed.error().message, ""};
  api::OverrideView view = std::move(*found);
  overrides_.erase(found);
  publish();
  return view;
}

std::optional<api::OnCallView> OncallOverrides::who(std::string_view schedule, TimePoint at) const {
  const std::shared_ptr<const oncall::OncallConfig> config = current();
  if (config->find_schedule(schedule) == nullptr)
    return std::nullopt;
  oncall::OnCallNow now = oncall::on_call_now(*config, schedule, at);
  return api::OnCallView{std::move(now.users), now.until};
}

Result<std::size_t> OncallOverrides::collect_garbage(TimePoint now, Duration retention) {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> expired;
  for (const api::OverrideView& view : overrides_) {
    if (view.override.end + retention < now)
      expired.push_back(view.id);
  }
  if (expired.empty())
    return std::size_t{0};
  Status removed;
  {
    const std::lock_guard db_lock(db_mutex_);
    removed = store::OverrideStore(db_).remove(expired);
  }
  if (!removed)
    return removed.error();
  std::erase_if(overrides_, [&expired](const api::OverrideView& view) {
    return std::find(expired.begin(), expired.end(), view.id) != expired.end();
  });
  publish();
  return expired.size();
}

}  // namespace sloe::app
