// Reading back the CSV files of a result set (read_csv, summary_table). The cases come from fuzzing
// (tests/fuzz/fuzz_csv.cpp): a cell with a newline, which CsvAppender quotes as RFC 4180 says, split the
// row in two for the line-based reader, and summary_table then indexed past the end of the short row.

#include <gtest/gtest.h>

#include "edgebench/runner.hpp"
#include "internal/csv_appender.hpp"
#include "internal/csv_reader.hpp"
#include "test_support.hpp"

using namespace edgebench;

TEST(CsvReader, QuotedNewlinesStayInTheirCell) {
    test::TempDir dir;
    const std::vector<std::string> cells = {"edge\nexited", "say \"hi\"\r\n", "a,b"};
    {
        detail::CsvAppender appender(dir / "rows.csv", {"a", "b", "c"});
        appender.append(cells);
        appender.append({"x", "", "z"});
    }
    const auto table = detail::read_csv(dir / "rows.csv");
    EXPECT_EQ(table.header, (std::vector<std::string>{"a", "b", "c"}));
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[0], cells);
    EXPECT_EQ(table.rows[1], (std::vector<std::string>{"x", "", "z"}));
}

TEST(CsvReader, CrLfFilesAndBlankLines) {
    test::TempDir dir;
    test::write_text(dir / "t.csv", "a,b\r\n1,2\r\n\r\n3,\"4\r\n5\"\r\n");
    const auto table = detail::read_csv(dir / "t.csv");
    EXPECT_EQ(table.header, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[1], (std::vector<std::string>{"3", "4\r\n5"}));
}

TEST(SummaryTable, RowsShorterThanTheHeader) {
    test::TempDir dir;
    // A runs.csv whose rows lack the axis columns (cut short, or edited by hand), and a summary that is
    // no CSV at all: the table is written all the same.
    test::write_text(dir / "runs.csv", "run_id,status,error,axis:edges.preprocess.quality,axis:x\nrun-0001,ok\n\"run-0002\n");
    test::write_text(dir / "summary.csv", "\"\n,,\n");
    const std::string table = summary_table(dir.path());
    EXPECT_NE(table.find("run-0001"), std::string::npos);
}
