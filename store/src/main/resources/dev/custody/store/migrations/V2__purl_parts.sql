-- Purls are looked up by their parsed parts, never by their text: two spellings of one package (1.30+dfsg and
-- 1.30%2Bdfsg, qualifiers in another order) are one package. The decoded parts are kept beside the canonical text;
-- rows written before this version are filled in (and their text made canonical) by the migration's Java step.
ALTER TABLE component ADD COLUMN purl_namespace TEXT;
ALTER TABLE component ADD COLUMN purl_name TEXT;
ALTER TABLE component ADD COLUMN purl_version TEXT;
CREATE INDEX component_purl_parts ON component (purl_name, purl_type, purl_namespace, purl_version);
