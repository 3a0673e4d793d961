// The lab's HTTP mirror (test/lab/mirror.ts): serves one directory read-only, GET and HEAD only.
// Started as its own process inside the lab's network namespace (a process cannot listen in a
// namespace other than its own), so it listens on the bridge address the hosts reach.
// Usage: tsx static-server.ts <directory> <address> <port> [<address>:<port> ...]; prints
// "listening" once it accepts. Each extra address:port is a TCP frontend that accepts and closes
// connections: an external load balancer with no healthy backend yet, as the lab's API endpoint
// (the stand-in apiservers answer HTTP through the cluster state, not on sockets).
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";

const [root, address, port, ...frontends] = process.argv.slice(2);
if (!root || !address || !port) {
  console.error("usage: static-server.ts <directory> <address> <port>");
  process.exit(2);
}
const base = path.resolve(root);

/** The file a request path names, or undefined when it leaves the served directory. */
function fileFor(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0]!);
  } catch {
    return undefined;
  }
  const file = path.resolve(base, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === base || file.startsWith(`${base}/`) ? file : undefined;
}

const server = http.createServer((req, res) => {
  const file = fileFor(req.url ?? "/");
  const stat = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405).end();
  } else if (!file || !stat?.isFile()) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  } else {
    res.writeHead(200, { "content-length": stat.size, "last-modified": stat.mtime.toUTCString(), "content-type": "application/octet-stream" });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
  }
  console.log(`${req.method} ${req.url} ${res.statusCode}`);
});

const listening = [new Promise<void>((resolve) => server.listen(Number(port), address, resolve))];
for (const frontend of frontends) {
  const at = frontend.lastIndexOf(":");
  const tcp = net.createServer((socket) => socket.destroy());
  listening.push(new Promise<void>((resolve) => tcp.listen(Number(frontend.slice(at + 1)), frontend.slice(0, at), resolve)));
}
void Promise.all(listening).then(() => console.log("listening"));
