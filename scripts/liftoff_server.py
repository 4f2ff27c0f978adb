"""A Liftoff server on 127.0.0.1 for the check, benchmark and screenshot scripts: started with an admin key
and a fresh data directory (or a PostgreSQL database URL), waited for, called over HTTP, stopped on exit."""
import json, os, subprocess, tempfile, time, urllib.request


class LiftoffServer:
    def __init__(self, binary, port, key, plan=None, data=None, database_url=None):
        self.binary, self.port, self.key, self.plan, self.database_url = binary, port, key, plan, database_url
        self.data = data or os.path.join(tempfile.mkdtemp(prefix="liftoff-"), "data")
        self.base = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        arguments = [self.binary, "serve", "--data-dir", self.data, "--port", str(self.port)]
        if self.plan:
            arguments += ["--plan", self.plan]
        if self.database_url:
            arguments += ["--database-url", self.database_url]
        self.process = subprocess.Popen(arguments, env=dict(os.environ, LIFTOFF_ADMIN_KEY=self.key),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start")

    def stop(self):
        """SIGTERM, as a deploy stops a server: it must drain and exit, or the check fails."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise SystemExit("the server did not shut down within 30 s of SIGTERM")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()
