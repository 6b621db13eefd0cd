package dev.custody.store;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A store test: runs once on an embedded SQLite file and once on PostgreSQL, each with a fresh, migrated store
 * passed as a {@link Store} parameter. PostgreSQL comes from {@code CUSTODY_PG_URL} (scripts/pg/start.sh prints
 * one; scripts/test.sh sets it); without it the PostgreSQL run is skipped, unless {@code CUSTODY_REQUIRE_PG=1}, when
 * it fails.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BothStores.class)
public @interface StoreTest {
}
