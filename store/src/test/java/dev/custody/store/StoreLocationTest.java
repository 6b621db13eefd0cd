package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreLocationTest {

    @Test
    void pathsAreSqliteAndUrlsArePostgres() {
        assertThat(StoreLocation.parse("/tmp/x/custody.db").dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(StoreLocation.parse("sqlite:rel.db").jdbcUrl()).startsWith("jdbc:sqlite:/").endsWith("/rel.db");
        StoreLocation pg = StoreLocation.parse("postgresql://bob:s%40cret@db.internal:6543/evidence?sslmode=require");
        assertThat(pg.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/evidence?sslmode=require");
        assertThat(pg.properties()).containsEntry("user", "bob").containsEntry("password", "s@cret");
        assertThat(pg.display()).doesNotContain("cret").contains("bob:***@");
        assertThat(StoreLocation.parse("postgres://h/").jdbcUrl()).isEqualTo("jdbc:postgresql://h/custody");
    }

    @Test
    void unsupportedLocationsAreRefusedByName() {
        assertThatThrownBy(() -> StoreLocation.parse("mysql://h/db")).hasMessageContaining("mysql://h/db is not supported");
        assertThatThrownBy(() -> StoreLocation.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql:///db")).hasMessageContaining("names no host");
    }

    @Test
    void migrationStatementsSplitOnLineEndingSemicolons() {
        assertThat(Migrations.statements("-- c\nCREATE TABLE a (x TEXT);\n\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x TEXT)", "CREATE INDEX i ON a (x)");
    }
}
