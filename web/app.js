// The dashboard: a thin GraphQL client over the operations in documents.graphql.
// The API key stays in this tab (sessionStorage) and is sent as a Bearer token, as every client does.
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const documents = await (await fetch('/dashboard/documents.graphql')).text();
let selected = null;

async function gql(operationName, variables) {
  const key = $('key').value.trim();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: documents, operationName, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  $('message').textContent = '';
  return body.data;
}

const show = (err) => { $('message').textContent = err.message; };

async function loadEvents() {
  const data = await gql('DashboardEvents', { first: 100, search: $('search').value || null });
  const list = $('events');
  list.innerHTML = data.events.edges.length ? '' : '<li class="muted">No events defined yet.</li>';
  for (const { node } of data.events.edges) {
    const li = document.createElement('li');
    li.className = `event${selected === node.name ? ' active' : ''}`;
    li.innerHTML = `<strong>${esc(node.name)}</strong><br><span class="muted">${node.schema.fields.map((f) => `${esc(f.name)}: ${f.type.toLowerCase()}${f.required ? '' : '?'}`).join(', ') || 'no fields'}</span>`;
    li.onclick = () => { selected = node.name; loadEvents().catch(show); loadEvent().catch(show); };
    list.append(li);
  }
}

async function loadEvent() {
  if (!selected) return;
  $('sends-title').textContent = `Sends of ${selected}`;
  const status = $('status').value || null;
  const [{ sends }, { automations }] = await Promise.all([
    gql('DashboardSends', { event: selected, status, first: 50 }),
    gql('DashboardAutomations', { event: selected }),
  ]);
  $('sends').innerHTML = sends.edges.map(({ node: s }) => `<tr>
      <td>${esc(new Date(s.timestamp).toLocaleString())}</td>
      <td><span class="status ${s.status}">${s.status}</span></td>
      <td>${esc(s.email ?? s.contactId)}</td>
      <td>${s.errors.length ? `<span class="error">${s.errors.map((e) => `${esc(e.field)} ${esc(e.message)}`).join('<br>')}</span>` : `<pre>${esc(JSON.stringify(s.data))}</pre>`}${s.failureReason ? `<br><span class="error">${esc(s.failureReason)}</span>` : ''}</td>
    </tr>`).join('') || '<tr><td colspan="4" class="muted">No sends yet.</td></tr>';
  const rows = await Promise.all(automations.edges.map(async ({ node: a }) => {
    const { automationRuns } = await gql('DashboardRuns', { automationId: a.id });
    const runs = automationRuns.edges.map(({ node: r }) => `<span class="status ${r.status}" title="${esc(r.steps.map((st) => `${st.step}: ${st.outcome}`).join(' → '))}">${r.status}</span>`).join(' ');
    return `<tr><td>${esc(a.name)}</td><td><span class="status ${a.status}">${a.status}</span>${a.broken ? ' <span class="error">broken</span>' : ''}</td>
      <td>${a.issues.map((i) => esc(i.message)).join('<br>') || '<span class="muted">none</span>'}</td><td>${runs || '<span class="muted">none</span>'}</td></tr>`;
  }));
  $('automations').innerHTML = rows.join('') || '<tr><td colspan="4" class="muted">No automation uses this event.</td></tr>';
}

$('key').value = sessionStorage.getItem('arsel-key') ?? '';
$('key').onchange = () => { sessionStorage.setItem('arsel-key', $('key').value.trim()); loadEvents().catch(show); };
$('search').oninput = () => loadEvents().catch(show);
$('status').onchange = () => loadEvent().catch(show);
if ($('key').value) loadEvents().catch(show);
