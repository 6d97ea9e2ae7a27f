// Talking to the workbench server: JSON endpoints and server-sent events.
// Every request goes to this page's own origin; nothing else is fetched.

async function answer(res) {
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) {
    const msg = body && body.error ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(msg);
  }
  return body;
}

export async function getJSON(path) {
  return answer(await fetch(path, { headers: { Accept: 'application/json' } }));
}

export async function postJSON(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  }));
}

// watchJob calls onState with the job's state on every progress event and
// resolves with the final state (done, failed or canceled).
export function watchJob(id, onState) {
  return new Promise((resolve) => {
    const es = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
    let last = null;
    es.addEventListener('job', (ev) => {
      last = JSON.parse(ev.data);
      onState(last);
      if (['done', 'failed', 'canceled'].includes(last.status)) {
        es.close();
        resolve(last);
      }
    });
    es.onerror = async () => {
      // The stream ends after the final event; a broken stream is replaced
      // by one look at the job.
      es.close();
      try {
        const j = await getJSON(`/api/jobs/${encodeURIComponent(id)}`);
        onState(j);
        if (['done', 'failed', 'canceled'].includes(j.status)) resolve(j);
        else resolve(await watchJob(id, onState));
      } catch (e) {
        resolve(last || { id, status: 'failed', error: String(e.message || e) });
      }
    };
  });
}
