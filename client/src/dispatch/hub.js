// The dispatch hub (/hubs/dispatch) through the same SignalR client the live units use (@microsoft/signalr,
// bundled by Vite). The panel only needs to hear "incident X changed"; onState reports
// connecting/connected/closed. After the client's own reconnect attempts give up, it starts again with a
// growing pause, so a dispatcher's screen never stays silently deaf after a server restart.
import { HubConnectionBuilder, LogLevel } from "@microsoft/signalr";

export function connectHub(url, { csrf, onMessage, onState }) {
  let stopped = false;
  let pause = 1000;
  const connection = new HubConnectionBuilder()
    // a cookie-authenticated negotiation is a POST: it carries the CSRF header like any other write
    .withUrl(url, { headers: { "X-CSRF-Token": csrf() } })
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
  connection.on("incident", (...args) => onMessage("incident", args));
  connection.onreconnecting(() => onState("connecting"));
  connection.onreconnected(() => onState("connected"));
  connection.onclose(() => {
    onState("closed");
    if (!stopped) setTimeout(open, pause);
  });

  async function open() {
    if (stopped) return;
    onState("connecting");
    try {
      await connection.start();
      pause = 1000;
      onState("connected");
    } catch {
      onState("closed");
      pause = Math.min(pause * 2, 30000);
      if (!stopped) setTimeout(open, pause);
    }
  }

  open();
  return () => {
    stopped = true;
    connection.stop();
  };
}
