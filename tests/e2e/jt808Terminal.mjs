// A JT/T 808 (2013) vehicle terminal in a few lines, for the browser tests: frames as server Live/Jt808/Jt808Codec.cs
// reads them (0x7E flags, 0x7D escapes, XOR checksum, big-endian, BCD phone), and the register (0x0100) ->
// authenticate (0x0102) -> location (0x0200) exchange of Jt808Client.cs, each waiting for the platform's reply.
import { connect } from "node:net";

function bcd(digits, bytes) {
  const padded = digits.padStart(bytes * 2, "0");
  return Buffer.from(padded, "hex");
}

/** A whole frame: header (id, body length, phone, serial), body, checksum, escaped between flags. */
export function frame(id, phone, serial, body) {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(body.length, 2);
  const serialBytes = Buffer.alloc(2);
  serialBytes.writeUInt16BE(serial, 0);
  const content = Buffer.concat([header, bcd(phone, 6), serialBytes, body]);
  let check = 0;
  for (const b of content) check ^= b;
  const out = [0x7e];
  for (const b of [...content, check]) {
    if (b === 0x7e) out.push(0x7d, 0x02);
    else if (b === 0x7d) out.push(0x7d, 0x01);
    else out.push(b);
  }
  out.push(0x7e);
  return Buffer.from(out);
}

/** A 0x0200 body: no alarm, status "fixed", degrees x 1e6, 0.1 km/h, heading, the time as Beijing-time BCD. */
export function location(date, lon, lat, speedKmh = 0, heading = 0) {
  const body = Buffer.alloc(28);
  body.writeUInt32BE(0x2 | (lat < 0 ? 0x4 : 0) | (lon < 0 ? 0x8 : 0), 4);
  body.writeUInt32BE(Math.round(Math.abs(lat) * 1e6), 8);
  body.writeUInt32BE(Math.round(Math.abs(lon) * 1e6), 12);
  body.writeUInt16BE(Math.round(speedKmh * 10), 18);
  body.writeUInt16BE(Math.round(heading) % 360, 20);
  const b = new Date(date.getTime() + 8 * 3600e3); // UTC+8, read through the UTC getters
  const two = (n) => String(n).padStart(2, "0");
  const text = `${two(b.getUTCFullYear() % 100)}${two(b.getUTCMonth() + 1)}${two(b.getUTCDate())}${two(b.getUTCHours())}${two(b.getUTCMinutes())}${two(b.getUTCSeconds())}`;
  Buffer.from(text, "hex").copy(body, 22);
  return body;
}

function unescape(bytes) {
  const out = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i] === 0x7d ? (bytes[++i] === 0x02 ? 0x7e : 0x7d) : bytes[i]);
  return Buffer.from(out);
}

/** Connects as terminal `phone`, registers and authenticates; returns { report(date, lon, lat) -> result byte, close() }. */
export async function openTerminal(host, port, phone) {
  const socket = connect({ host, port });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let pending = Buffer.alloc(0);
  const replies = [];
  const waiters = [];
  socket.on("data", (data) => {
    pending = Buffer.concat([pending, data]);
    for (;;) {
      const start = pending.indexOf(0x7e);
      const end = start < 0 ? -1 : pending.indexOf(0x7e, start + 1);
      if (end < 0) break;
      const raw = unescape(pending.subarray(start + 1, end));
      pending = pending.subarray(end + 1);
      if (raw.length < 13) continue;
      replies.push({ id: raw.readUInt16BE(0), body: raw.subarray(12, raw.length - 1) });
    }
    while (replies.length && waiters.length) waiters.shift()(replies.shift());
  });
  let serial = 1;
  const request = (id, body) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`JT/T 808: no reply to 0x${id.toString(16)} within 60 s`)), 60000);
    waiters.push((r) => { clearTimeout(timer); resolve(r); });
    socket.write(frame(id, phone, serial++, body));
  });
  const general = (r) => (r.id === 0x8001 ? r.body[4] : -1);

  const registration = Buffer.concat([Buffer.alloc(4), Buffer.from("GTEST"), Buffer.alloc(20), Buffer.from(phone.slice(-7).padStart(7, "0")), Buffer.from([0])]);
  const registered = await request(0x0100, registration);
  if (registered.id !== 0x8100 || registered.body[2] !== 0) throw new Error(`JT/T 808: terminal ${phone} not registered (result ${registered.body[2]})`);
  const authenticated = general(await request(0x0102, registered.body.subarray(3)));
  if (authenticated !== 0) throw new Error(`JT/T 808: terminal ${phone} not authenticated (result ${authenticated})`);
  return {
    report: async (date, lon, lat) => general(await request(0x0200, location(date, lon, lat))),
    close: () => socket.destroy(),
  };
}
