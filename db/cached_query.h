#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <soci/soci.h>

namespace db {

// A statement that stays prepared on one pooled session and runs again with new values. On
// PostgreSQL it is a named server-side statement, so each run is one round trip that skips
// parsing and planning (the planner is most of the database's share of a lookup by id: measured
// with pgbench, 0.26-0.29 ms one-shot against 0.045-0.054 ms prepared for the user-with-groups
// read); on SQLite it skips re-parsing. Database::Cached hands one out per (session, SQL text).
//
// The calls that bind and declare columns are the same on every run, in the same order: the
// first run records them and prepares the statement, later runs only assign the new values.
//
//     CachedQuery& q = database.Cached(session, sql);
//     q.Text("o", org).Text("i", id);
//     if (!q.RunForRow({Column::kInt, Column::kText})) { ... no row ... }
//     long long version = q.Int(0);
//
// After each run the SQLite statement is reset, because a stepped but unfinished SQLite
// statement keeps its read transaction open and every later statement on the connection would
// read that old snapshot.
class CachedQuery {
public:
    enum class Column { kText, kInt, kReal };  // kReal: binds only

    // `server_side`: false prepares a one-shot statement instead (still cached, but parsed and
    // planned on every run), for PostgreSQL behind a pooler that does not keep a server
    // connection per client, where a named statement may not exist on the next transaction.
    CachedQuery(soci::session& session, std::string sql, bool server_side);
    ~CachedQuery();
    CachedQuery(const CachedQuery&) = delete;
    CachedQuery& operator=(const CachedQuery&) = delete;

    // Bind the next placeholder, by name (without the colon), in the same order on every run.
    CachedQuery& Text(std::string_view name, const std::string& value);
    CachedQuery& NullableText(std::string_view name, const std::optional<std::string>& value);
    CachedQuery& Int(std::string_view name, std::int64_t value);
    CachedQuery& NullableInt(std::string_view name, std::optional<std::int64_t> value);

    CachedQuery& Real(std::string_view name, double value);

    // Runs the statement with the values bound since the last run; true when a row came back,
    // then read with Text(i) / Int(i) / IsNull(i). `columns` must be the same on every run.
    bool RunForRow(const std::vector<Column>& columns);

    // Runs the statement like RunForRow and calls `on_row()` for every row, with the row's
    // values readable through Text(i) / Int(i) / IsNull(i) during the call.
    template <typename F>
    void RunForEachRow(const std::vector<Column>& columns, F&& on_row) {
        StartRun(columns);
        Finish finish{*this};
        failed_ = true;             // until the run completes
        statement_.execute(false);  // runs without reading a row; FetchRow reads them
        while (FetchRow()) {
            on_row();
        }
        failed_ = false;
    }

    const std::string& Text(std::size_t column) const { return texts_out_.at(column); }
    long long Int(std::size_t column) const { return ints_out_.at(column); }
    bool IsNull(std::size_t column) const { return indicators_out_.at(column) == soci::i_null; }

    // True once a run, or a bind that broke the first run's sequence, has thrown. Database::Cached
    // then replaces the query with a new one: SOCI's PostgreSQL backend frees a statement's bound
    // parameter buffers after a successful run or when the statement is destroyed, not when a run
    // throws (a unique violation, say), so reusing it would leak them on every failure.
    bool failed() const { return failed_; }

private:
    // One bound value; `kind` says which of the deques holds it.
    struct Bind {
        Column kind;
        std::string name;
    };
    struct Finish {
        CachedQuery& query;
        ~Finish() { query.ResetSqlite(); }
    };
    void Record(Column kind, std::string_view name);
    void Prepare(const std::vector<Column>& columns);
    // Checks the run's binds against the first run's, prepares on the first run.
    void StartRun(const std::vector<Column>& columns);
    bool FetchRow();
    void ResetSqlite();

    soci::statement statement_;
    std::string sql_;
    bool server_side_;
    bool sqlite_;
    bool prepared_ = false;
    bool failed_ = false;
    std::size_t next_bind_ = 0;         // position of the next bind call in this run
    std::size_t next_text_ = 0;         // ... within texts_in_
    std::size_t next_int_ = 0;          // ... within ints_in_
    std::size_t next_real_ = 0;         // ... within reals_in_
    std::vector<Bind> binds_;           // as recorded on the first run
    std::deque<std::string> texts_in_;  // deques: soci keeps references to the elements
    std::deque<soci::indicator> text_indicators_in_;
    std::deque<long long> ints_in_;
    std::deque<soci::indicator> int_indicators_in_;
    std::deque<double> reals_in_;
    std::vector<Column> columns_;
    // Index i of the row lives in texts_out_[i] or ints_out_[i] by columns_[i].
    std::deque<std::string> texts_out_;
    std::deque<long long> ints_out_;
    std::deque<soci::indicator> indicators_out_;
};

}  // namespace db
