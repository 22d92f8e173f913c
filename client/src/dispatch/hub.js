// The dispatch hub (/hubs/dispatch) spoken directly: SignalR's JSON protocol over a WebSocket is a
// negotiate POST, a handshake and records ending in 0x1e, which is all this panel needs to hear
// "incident X changed". Reconnects with a growing pause; onState reports connecting/connected/closed.
const RS = "\u001e";

export function connectHub(url, { csrf, onMessage, onState }) {
  let socket = null;
  let stopped = false;
  let pause = 1000;

  async function open() {
    onState("connecting");
    try {
      const res = await fetch(`${url}/negotiate?negotiateVersion=1`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf() },
      });
      if (!res.ok) throw new Error(`negotiate ${res.status}`);
      const { connectionToken } = await res.json();
      const ws = new URL(`${url}?id=${encodeURIComponent(connectionToken)}`, location.href);
      ws.protocol = ws.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(ws);
      socket.onopen = () => socket.send(JSON.stringify({ protocol: "json", version: 1 }) + RS);
      socket.onmessage = (event) => {
        for (const part of String(event.data).split(RS)) {
          if (!part) continue;
          const msg = JSON.parse(part);
          if (msg.type === undefined) {
            pause = 1000;
            onState("connected"); // the handshake answer
          } else if (msg.type === 1) onMessage(msg.target, msg.arguments ?? []);
          else if (msg.type === 6) socket.send(JSON.stringify({ type: 6 }) + RS); // ping back
        }
      };
      socket.onclose = () => retry();
    } catch {
      retry();
    }
  }

  function retry() {
    onState("closed");
    if (stopped) return;
    setTimeout(open, pause);
    pause = Math.min(pause * 2, 30000);
  }

  open();
  return () => {
    stopped = true;
    socket?.close();
  };
}
