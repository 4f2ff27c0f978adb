#!/usr/bin/env python3
"""End to end in a real headless Chromium: log in, read the gate, promote, see the change without a reload.
Needs Debian's chromium and chromium-driver and selenium from PyPI (.ci/run installs them). Loopback only."""
import os, subprocess, sys, tempfile, time, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/liftoff"
port = 18094
key = "e2e-admin-key-0123456789"
base = f"http://127.0.0.1:{port}"
work = tempfile.mkdtemp(prefix="liftoff-e2e-")
plan = os.path.join(work, "plan.yml")
with open(plan, "w") as file:
    file.write("""rollout: e2e
phases:
  - name: internal
    audience: { groups: { developers: [dev-1] } }
    exit: { minDuration: 0s, checklist: [security review done] }
  - name: alpha
    audience: { invite: { min: 0, max: 30 } }
alerts: { errorRateSpike: false, costAnomaly: false, securityIssues: false }
""")
server = subprocess.Popen([binary, "serve", "--plan", plan, "--data-dir", os.path.join(work, "data"), "--port", str(port)],
                          env=dict(os.environ, LIFTOFF_ADMIN_KEY=key), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
options = Options()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = None
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 10)
    driver.get(base + "/")
    assert driver.current_url.endswith("/login"), driver.current_url
    driver.find_element(By.NAME, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda d: d.find_elements(By.ID, "gate-state"))
    assert "phase internal" in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.find_element(By.ID, "gate-state").text == "not ready"
    driver.find_element(By.CSS_SELECTOR, "form[action='/rollout/checklist'] button").click()
    wait.until(lambda d: d.find_element(By.ID, "gate-state").text == "ready")
    driver.find_element(By.CSS_SELECTOR, "form[action='/rollout/promote'] input[name=reason]").send_keys("gate met in e2e")
    driver.find_element(By.CSS_SELECTOR, "form[action='/rollout/promote'] button").click()
    wait.until(lambda d: "phase alpha" in d.find_element(By.TAG_NAME, "h1").text)
    # A change made elsewhere (the API) shows up without a reload, within the 2-second refresh.
    request = urllib.request.Request(base + "/v1/rollout/pause", data=b'{"reason":"from the API"}', method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5)
    WebDriverWait(driver, 5).until(lambda d: "paused" in d.find_element(By.ID, "live").text)
    print("dashboard e2e: logged in, read the gate, signed, promoted to alpha, saw a pause live")
finally:
    if driver:
        driver.quit()
    server.terminate()
    server.wait()
