// The outside client of tests/bench/tiles_outside.sh: GeoTwin's vector tiles timed as a browser asks for them (its own
// process, keep-alive, Accept-Encoding: gzip, the bytes kept as sent, not decompressed), beside the floor: the same two
// layer queries (houses, roads) sent by node-postgres under the same scoped role GeoTwin uses (set_config + RLS).
//
// node client.mjs ROUNDS   with the environment:
//   UNCACHED_URL, CACHED_URL   two GeoTwin servers on one database, the first with GeoTwin:Tiles:CacheBytes=0
//   UNCACHED_PID, CACHED_PID   their process ids; POSTMASTER_PID the database's (CPU per tile: /proc/<pid>/stat)
//   PG_URL                      postgres://... of the same database, for the floor (a superuser that may SET ROLE)
//   SQL_DIR                     server/GeoTwin.Server/Tiles/Layers (the layer queries, read, not copied)
//   ACCOUNT, PASSWORD           the account signed in (default admin / demo-admin: sees everything, reads personal data)
//
// Tiles: every tile covering the demo's city bureau (the root jurisdiction's extent) at z14, z15 and z16; houses
// start at z14, so these are the tiles the map asks houses+roads for (89 on the Monaco demo).
// Per zoom, each round times every tile in six ways: floor / uncached / cached, one at a time and six in flight (six
// connections, as Chromium keeps to one host). A round's figures per way: tiles/s (tiles ÷ wall time), p50 and p99
// of the request times, CPU ms per tile of the server and of PostgreSQL (all processes of the cluster); the table
// gives each figure's median over the rounds.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';

const ROUNDS = Number(process.argv[2] ?? 5);
const IN_FLIGHT = 6;
const env = process.env;
const account = env.ACCOUNT ?? 'admin';
const password = env.PASSWORD ?? 'demo-admin';
const CLK_TCK = 100; // Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

const layerSql = Object.fromEntries(['houses', 'roads'].map(n => [n, fs.readFileSync(path.join(env.SQL_DIR, `${n}.sql`), 'utf8')]));

// --- HTTP as a browser: one keep-alive agent per way, gzip asked for, the body read to its end.
function agent() { return new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }); }

function request(url, { agent: a, method = 'GET', headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { agent: a, method, headers }, res => {
            const chunks = [];
            res.on('data', c => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
        });
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
    });
}

async function signIn(base, a) {
    const res = await request(`${base}/api/auth/login`, {
        agent: a, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: account, password }),
    });
    if (res.status !== 200) throw new Error(`sign-in at ${base}: ${res.status} ${res.body}`);
    const cookie = (res.headers['set-cookie'] ?? []).map(c => c.split(';')[0]).join('; ');
    return { Cookie: cookie, 'Accept-Encoding': 'gzip' };
}

// --- The tiles: every tile over the root jurisdiction's extent (Web Mercator tile maths, as TileAddress.Containing).
function tileOf(lon, lat, z) {
    const n = 2 ** z;
    const x = Math.floor((lon + 180) / 360 * n);
    const r = lat * Math.PI / 180;
    const y = Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n);
    return [Math.min(n - 1, Math.max(0, x)), Math.min(n - 1, Math.max(0, y))];
}

function cover([w, s, e, n], z) {
    const [x0, y0] = tileOf(w, n, z);
    const [x1, y1] = tileOf(e, s, z);
    const tiles = [];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) tiles.push({ z, x, y });
    return tiles;
}

// --- CPU: utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat), and of a cluster's every process.
function cpuTicks(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(f[11]) + Number(f[12]);
    } catch { return 0; } // a backend that exited between listing and reading
}

function clusterTicks(postmaster) {
    let t = cpuTicks(postmaster);
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (ppid === postmaster) t += cpuTicks(d);
        } catch { /* gone */ }
    }
    return t;
}

// --- One way, timed: `one(tile, worker)` per tile, `concurrency` workers pulling from the list.
async function timeWay(tiles, concurrency, one, serverPid) {
    const times = [];
    let next = 0;
    const pg0 = clusterTicks(Number(env.POSTMASTER_PID));
    const srv0 = serverPid ? cpuTicks(serverPid) : 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
        while (next < tiles.length) {
            const tile = tiles[next++];
            const s = performance.now();
            await one(tile, worker);
            times.push(performance.now() - s);
        }
    }));
    const wall = performance.now() - t0;
    const ms = ticks => ticks * 1000 / CLK_TCK / tiles.length;
    times.sort((a, b) => a - b);
    const pct = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return {
        rate: tiles.length / (wall / 1000), p50: pct(0.5), p99: pct(0.99),
        serverCpu: serverPid ? ms(cpuTicks(serverPid) - srv0) : null, pgCpu: ms(clusterTicks(Number(env.POSTMASTER_PID)) - pg0),
    };
}

// --- The floor: each connection set to GeoTwin's scoped role and scope once (a plain client pinned to one role, as a
// peer's pool would be), then per tile the two layer queries as named (prepared) statements, one after the other.
async function floorClients(role, scope) {
    const clients = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
        const c = new pg.Client({ connectionString: env.PG_URL });
        await c.connect();
        await c.query("SELECT set_config('role', $1, false), set_config('geotwin.scope', $2, false)", [role, scope]);
        clients.push(c);
    }
    return clients;
}

async function floorTile(client, { z, x, y }) {
    let bytes = 0;
    for (const [name, sql] of Object.entries(layerSql)) {
        const r = await client.query({ name, text: sql, values: [z, x, y], rowMode: 'array' });
        bytes += r.rows[0]?.[0]?.length ?? 0;
    }
    return bytes;
}

const median = v => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
    const admin = new pg.Client({ connectionString: env.PG_URL });
    await admin.connect();
    const ext = (await admin.query(
        'SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(boundary) e FROM jurisdictions WHERE parent_id IS NULL) x',
        [])).rows[0];
    const extent = Object.values(ext).map(Number);
    await admin.end();
    // GeoTwin's scope for the admin (CurrentUser.Scope: "*" for a role that sees everything; geotwin_personal reads personal data).
    const role = env.SCOPE_ROLE ?? 'geotwin_personal';
    const scope = env.SCOPE ?? '*';

    const ways = {
        uncached: { base: env.UNCACHED_URL, pid: Number(env.UNCACHED_PID) },
        cached: { base: env.CACHED_URL, pid: Number(env.CACHED_PID) },
    };
    for (const w of Object.values(ways)) { w.agent = agent(); w.headers = await signIn(w.base, w.agent); }
    const floor = await floorClients(role, scope);
    const httpTile = w => async ({ z, x, y }) => {
        const r = await request(`${w.base}/tiles/houses,roads/${z}/${x}/${y}.mvt`, { agent: w.agent, headers: w.headers });
        if (r.status !== 200 && r.status !== 204) throw new Error(`tile ${z}/${x}/${y}: ${r.status} ${r.body}`);
        return r.body.length;
    };

    const zooms = [14, 15, 16].map(z => ({ z, tiles: cover(extent, z) }));
    console.log(`extent ${extent.map(v => v.toFixed(4)).join(',')}; tiles ${zooms.map(q => `z${q.z} ${q.tiles.length}`).join(', ')} = ${zooms.reduce((a, q) => a + q.tiles.length, 0)}; ${ROUNDS} rounds; account ${account} (role ${role}, scope ${scope})`);

    // Warm-up: JIT on both servers, PostgreSQL's pages, the cache filled (its gzip form too), the floor's statements prepared.
    const all = zooms.flatMap(q => q.tiles);
    const warmUntil = performance.now() + 5000;
    while (performance.now() < warmUntil)
        for (const t of all) { await floorTile(floor[0], t); await httpTile(ways.uncached)(t); await httpTile(ways.cached)(t); }
    for (const c of floor) for (const t of all.slice(0, 3)) await floorTile(c, t);

    const results = {}; // `${z}|${way}|${n}` -> list of per-round figures
    const add = (key, r) => (results[key] ??= []).push(r);
    for (let round = 0; round < ROUNDS; round++) {
        for (const { z, tiles } of zooms) {
            for (const n of [1, IN_FLIGHT]) {
                add(`${z}|floor|${n}`, await timeWay(tiles, n, (t, worker) => floorTile(floor[worker], t), null));
                add(`${z}|uncached|${n}`, await timeWay(tiles, n, httpTile(ways.uncached), ways.uncached.pid));
                add(`${z}|cached|${n}`, await timeWay(tiles, n, httpTile(ways.cached), ways.cached.pid));
            }
        }
        console.error(`round ${round + 1} of ${ROUNDS} done; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
    }
    for (const c of floor) await c.end();

    const f = (v, d = 2) => v === null ? '—' : v.toFixed(d);
    console.log('');
    console.log(`| zoom | tiles | in flight | way | tiles/s | p50 ms | p99 ms | server CPU ms/tile | PostgreSQL CPU ms/tile |`);
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const { z, tiles } of zooms)
        for (const n of [1, IN_FLIGHT])
            for (const way of ['floor', 'uncached', 'cached']) {
                const rs = results[`${z}|${way}|${n}`];
                const m = k => rs.some(r => r[k] === null) ? null : median(rs.map(r => r[k]));
                console.log(`| z${z} | ${tiles.length} | ${n} | ${way} | ${f(m('rate'), 0)} | ${f(m('p50'))} | ${f(m('p99'))} | ${f(m('serverCpu'))} | ${f(m('pgCpu'))} |`);
            }
    console.log('');
    console.log('| zoom | uncached p50 − floor p50, 1 in flight, ms (goal ≤ 0.3) | uncached ÷ floor tiles/s, 6 in flight (goal ≥ 0.9) |');
    console.log('|---|---|---|');
    for (const { z } of zooms) {
        const p = (way, n, k) => median(results[`${z}|${way}|${n}`].map(r => r[k]));
        console.log(`| z${z} | ${f(p('uncached', 1, 'p50') - p('floor', 1, 'p50'))} | ${f(p('uncached', IN_FLIGHT, 'rate') / p('floor', IN_FLIGHT, 'rate'))} |`);
    }
}

main().catch(e => { console.error(e); process.exit(1); });
