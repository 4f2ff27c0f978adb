#!/usr/bin/env python3
"""End to end in a real headless Chromium: log in, read the gate, promote, see the change without a reload.
Needs Debian's chromium and chromium-driver and selenium from PyPI (.ci/run installs them). Loopback only."""
import os, sys, tempfile, time
from liftoff_server import LiftoffServer
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
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
server = LiftoffServer(binary, port, key, plan=plan)
options = Options()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = None
try:
    server.start()
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # The page swaps its content every 2 s; an element found just before a swap goes stale (or, in
    # Chromium's words, "does not belong to the document"), so look again until the timeout.
    transient = [StaleElementReferenceException, WebDriverException]
    wait = WebDriverWait(driver, 10, ignored_exceptions=transient)
    driver.get(base + "/")
    assert driver.current_url.endswith("/login"), driver.current_url
    driver.find_element(By.NAME, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    def act(selector, action):
        """Finds and acts again when the live refresh replaced the element in between."""
        for attempt in range(5):
            try:
                return action(driver.find_element(By.CSS_SELECTOR, selector))
            except WebDriverException as error:
                # Only an element replaced before the action reached it is safe to retry.
                replaced = isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)
                if attempt == 4 or not replaced:
                    raise
                time.sleep(0.1)

    wait.until(lambda d: "phase internal" in d.find_element(By.TAG_NAME, "h1").text)
    wait.until(lambda d: d.find_element(By.ID, "gate-state").text == "not ready")
    act("form[action='/rollout/checklist'] button", lambda e: e.click())
    wait.until(lambda d: d.find_element(By.ID, "gate-state").text == "ready")
    act("form[action='/rollout/promote'] input[name=reason]", lambda e: e.send_keys("gate met in e2e"))
    act("form[action='/rollout/promote'] button", lambda e: e.click())
    wait.until(lambda d: "phase alpha" in d.find_element(By.TAG_NAME, "h1").text)
    # A change made elsewhere (the API) shows up without a reload, within the 2-second refresh.
    server.call("POST", "/v1/rollout/pause", {"reason": "from the API"})
    WebDriverWait(driver, 5, ignored_exceptions=transient).until(lambda d: "paused" in d.find_element(By.ID, "live").text)
    print("dashboard e2e: logged in, read the gate, signed, promoted to alpha, saw a pause live")
finally:
    if driver:
        driver.quit()
    server.stop()
