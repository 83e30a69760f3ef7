// The bench's copy of test-utils' freePort (TypeScript, which Node 20 cannot run from a .mjs): a port free on
// 0.0.0.0 now, from 20000-31999, outside the ephemeral range an outgoing connection could take first.
import { createServer } from "node:net";

export async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const ok = await new Promise((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "0.0.0.0", () => resolve(true));
    });
    if (ok) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}
