// Runs graphql-http's GraphQL-over-HTTP server audits against the URL given
// as the first argument and prints one JSON line per audit:
// {"id", "name", "status": "ok"|"warn"|"error", "reason"}. The Go test
// (internal/server, TestGraphQLOverHTTPAudit) decides what may fail.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const out = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    out.reason = result.reason;
    const res = result.response;
    if (res) {
      out.responseStatus = res.status;
      try { out.responseBody = (await res.text()).slice(0, 500); } catch { /* already read */ }
    }
  }
  console.log(JSON.stringify(out));
}
