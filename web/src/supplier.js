// The supplier-list check page: pick a CSV, choose its columns, POST it to
// /supplier-check, show the answer as a table linking each match to its
// view in the explorer, and download the same answer as CSV. Self-contained:
// it shares nothing with the explorer but the server.
import './supplier.css';
import { firstRow, guessColumns, ROLES } from './csvhead.js';

const $ = (id) => document.getElementById(id);
const form = $('sc-form');
const fileInput = $('sc-file');
const statusLine = $('sc-status');
const csvButton = $('sc-csv');
const MAX_BYTES = 512 * 1024;

let header = [];

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('sc-error', isError);
}

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

// Reading the header happens in the browser: nothing is sent until the
// user asks for the check.
fileInput.addEventListener('change', async () => {
  const file = fileInput.files[0];
  csvButton.disabled = true;
  $('sc-results').hidden = true;
  if (!file) return;
  if (file.size > MAX_BYTES) {
    setStatus(`The file is ${Math.ceil(file.size / 1024)} KiB; at most ${MAX_BYTES / 1024} KiB can be checked at once: split it.`, true);
    return;
  }
  const text = await file.slice(0, 64 * 1024).text();
  header = firstRow(text);
  const guess = guessColumns(header);
  const hasHeader = guess.name !== undefined;
  for (const role of ROLES) {
    const sel = $('col-' + role);
    sel.replaceChildren();
    if (role === 'name') {
      if (!hasHeader) sel.append(option('', '(no header: the first column)'));
    } else {
      sel.append(option('', '(none)'));
    }
    if (hasHeader || role === 'name') {
      header.forEach((h, i) => sel.append(option(String(i), h || `column ${i + 1}`)));
    }
    sel.value = guess[role] !== undefined ? String(guess[role]) : '';
  }
  $('sc-columns').disabled = false;
  setStatus(hasHeader ? `Columns found in the header of ${file.name}.` : `No header recognised in ${file.name}: the first column is read as names.`);
});

// The check's URL: the chosen columns by their headers, asOf, format.
function checkURL(format) {
  const p = new URLSearchParams();
  for (const role of ROLES) {
    const v = $('col-' + role).value;
    if (v !== '') p.set(role, header[Number(v)]);
  }
  const asOf = $('sc-asof').value.trim();
  if (asOf) p.set('asOf', asOf);
  p.set('format', format);
  return '/supplier-check?' + p.toString();
}

async function post(format) {
  const file = fileInput.files[0];
  if (!file) throw new Error('Choose a CSV file first.');
  const body = new FormData();
  body.append('file', file);
  const resp = await fetch(checkURL(format), { method: 'POST', body, headers: { Accept: format === 'csv' ? 'text/csv' : 'application/json' } });
  if (!resp.ok) {
    let msg = `The server answered ${resp.status}.`;
    try {
      const e = await resp.json();
      if (e.errors && e.errors[0]) msg = e.errors[0].message;
    } catch {
      // not a coded answer: keep the status
    }
    throw new Error(msg);
  }
  return resp;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('sc-run').disabled = true;
  setStatus('Checking…');
  try {
    const res = await (await post('json')).json();
    render(res);
    csvButton.disabled = false;
    setStatus(`Checked ${res.summary.rows} rows.`);
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    $('sc-run').disabled = false;
  }
});

csvButton.addEventListener('click', async () => {
  csvButton.disabled = true;
  try {
    const blob = await (await post('csv')).blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'aidtrace-supplier-check.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    csvButton.disabled = false;
  }
});

function cell(tr, content, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  if (content instanceof Node) td.append(content);
  else td.textContent = content ?? '';
  tr.append(td);
  return td;
}

function entityLink(e) {
  const a = document.createElement('a');
  a.href = '/?id=' + encodeURIComponent(e.id).replace(/%3A/gi, ':');
  a.textContent = e.name;
  a.title = e.id;
  return a;
}

// Targets with the strength of their own strongest link.
function targets(list) {
  const span = document.createElement('span');
  (list || []).forEach((e, i) => {
    if (i) span.append('; ');
    span.append(entityLink(e), ` (${e.strength})`);
  });
  return span;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function stepText(s) {
  const dates = s.validFrom || s.validTo ? `, ${s.validFrom || '?'}–${s.validTo || ''}` : '';
  return `${s.fromName} ${s.type} ${s.toName} (${s.strength}: grade ${s.bestGrade || 'none'}, ${s.confidence}${dates}${s.contested ? ', contested' : ''})`;
}

// Each exposure path as a list of its steps, the weakest marked.
function pathsDetail(x) {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `${plural(x.links, 'link', 'links')}${x.truncated ? ' (more not listed)' : ''}`;
  details.append(summary);
  const ol = document.createElement('ol');
  for (const p of x.paths) {
    const li = document.createElement('li');
    const head = document.createElement('div');
    head.append(`${{ DESIGNATION: 'Listed by', LABOUR_TRANSFER: 'Workers transferred from' }[p.reason] || 'Aiding party'}: `, entityLink(p.target), ` — ${p.strength}${p.contested ? ', contested' : ''}`);
    li.append(head);
    const steps = document.createElement('ul');
    p.steps.forEach((s, i) => {
      const st = document.createElement('li');
      st.textContent = stepText(s);
      if (i === p.weakestStep) st.className = 'sc-weakest';
      steps.append(st);
    });
    li.append(steps);
    ol.append(li);
  }
  details.append(ol);
  return details;
}

const STATUS_LABEL = { match: 'Match', candidate: 'Candidate: check it', 'no match': 'Not found', empty: 'No name' };

function render(res) {
  const s = res.summary;
  $('sc-summary').textContent =
    `${plural(s.rows, 'row', 'rows')}: ${s.match || 0} matched, ${plural(s.candidate || 0, 'candidate', 'candidates')} to check, ` +
    `${s['no match'] || 0} not found${s.empty ? `, ${s.empty} without a name` : ''}; ` +
    `${s.exposed || 0} linked to the programme, a designation list or a labour transfer${res.asOf ? ` (known in force on ${res.asOf})` : ''}.`;
  const tbody = $('sc-table').tBodies[0];
  tbody.replaceChildren();
  for (const r of res.rows) {
    const tr = document.createElement('tr');
    tr.className = 'sc-' + r.status.replace(' ', '-');
    cell(tr, String(r.row));
    cell(tr, r.query);
    cell(tr, STATUS_LABEL[r.status] || r.status, 'sc-badge');
    const ent = document.createElement('span');
    if (r.entity) {
      ent.append(entityLink(r.entity), ` (${r.entity.kind})`);
    }
    if (r.candidates && r.candidates.length) {
      const others = document.createElement('div');
      others.className = 'sc-others';
      others.append('Also: ');
      r.candidates.forEach((c, i) => {
        if (i) others.append(', ');
        others.append(entityLink(c), ` ${c.score}`);
      });
      ent.append(others);
    }
    cell(tr, ent);
    cell(tr, r.entity ? String(r.score) : '');
    const x = r.exposure;
    if (!x) {
      for (let i = 0; i < 6; i++) cell(tr, '');
    } else if (x.links === 0) {
      cell(tr, 'none known');
      for (let i = 0; i < 5; i++) cell(tr, '');
    } else {
      const ex = document.createElement('div');
      ex.append(`${x.strength} `, pathsDetail(x));
      cell(tr, ex);
      cell(tr, targets(x.aidingParties));
      cell(tr, targets(x.designations));
      cell(tr, targets(x.labourTransfers || []));
      cell(tr, x.weakestLink ? stepText(x.weakestLink) : '');
      cell(tr, x.contested ? `yes (${plural(x.counterClaims, 'counter-claim', 'counter-claims')})` : 'no');
    }
    tbody.append(tr);
  }
  $('sc-results').hidden = false;
}
