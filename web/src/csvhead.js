// The first line of a CSV file and which of its columns hold what: pure
// functions for the supplier-list check page (no DOM). The server finds
// the same columns by the same names when none is chosen.

/** The usual headers of each column role (lower case, words only). */
export const HEADER_NAMES = {
  name: ['name', 'company', 'company name', 'supplier', 'supplier name', 'factory', 'factory name', 'facility',
    'facility name', 'manufacturer', 'manufacturer name', 'entity', 'entity name', 'organisation', 'organization',
    'vendor', 'vendor name', '名称', '公司', '公司名称', '企业', '企业名称', '供应商', '工厂', '工厂名称'],
  city: ['city', 'town', 'city town', '城市', '市'],
  province: ['province', 'state', 'province state', 'state province', 'region', '省', '省份'],
  country: ['country', 'country region', 'country name', '国家', '國家'],
};

export const ROLES = ['name', 'city', 'province', 'country'];

/** A header in the form headers are compared in: lower case, words only. */
export function normalHeader(s) {
  return String(s).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(' ');
}

/** The field separator of a CSV's first line: comma, semicolon or tab. */
export function delimiter(line) {
  let best = ',';
  let n = (line.match(/,/g) || []).length;
  for (const d of [';', '\t']) {
    const c = line.split(d).length - 1;
    if (c > n) {
      best = d;
      n = c;
    }
  }
  return best;
}

/** The fields of the first line of a CSV text (quotes understood). */
export function firstRow(text) {
  const s = String(text).replace(/^\uFEFF/, '');
  const end = s.search(/\r?\n/);
  const line = end < 0 ? s : s.slice(0, end);
  const d = delimiter(line);
  const out = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === d) {
      out.push(field.trim());
      field = '';
    } else {
      field += c;
    }
  }
  out.push(field.trim());
  return out;
}

/**
 * Which column holds each role, by its header: { name: 0, city: 2 }.
 * No name column found means the file has no header (the first column
 * holds the names).
 */
export function guessColumns(header) {
  const out = {};
  for (const role of ROLES) {
    const names = HEADER_NAMES[role].map(normalHeader);
    const i = header.findIndex((h) => names.includes(normalHeader(h)));
    if (i >= 0) out[role] = i;
  }
  return out;
}
