#!/usr/bin/env python3
"""End to end in a real headless Chromium: log in, read the gate, promote, see the change without a reload, see
an automatic rollback appear on the overview's timeline, read a chart point's value on hover and keyboard focus,
check every page with axe-core (no serious or critical violation) and the overview at phone width (no sideways
scrolling).
Needs Debian's chromium and chromium-driver and selenium from PyPI (.ci/run installs them). Loopback only."""
import os, sys, tempfile, time
from liftoff_server import LiftoffServer
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from axe_selenium_python import Axe

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
rollback:
  - { trigger: critical_security_issues, threshold: 0 }
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
    # An automatic rollback shows up on the timeline as a marker linking to its decision row, which links to
    # the incident the rollback opened.
    server.call("POST", "/v1/rollout/resume", {"reason": "resumed in e2e"})
    server.call("POST", "/v1/events", {"events": [
        {"type": "ai_interaction", "userId": "dev-1", "latencyMs": 840, "outcome": "ok"},
        {"type": "security_issue", "severity": "critical", "title": "e2e finding"}]})
    WebDriverWait(driver, 10, ignored_exceptions=transient).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "svg.timeline a.marker.rollback"))
    target = act("svg.timeline a.marker.rollback", lambda e: e.get_dom_attribute("href"))
    assert target and target.startswith("#decision-"), target
    row = act("tr" + target, lambda e: e.text)
    assert "rolled back by liftoff" in row and "incident #" in row, row
    assert act("svg.timeline a.marker.resume", lambda e: e.get_dom_attribute("href")), "the resume has its marker too"
    # A chart point's value: its title is the browser's tooltip on hover, and the point takes keyboard focus.
    driver.get(base + "/metrics?window=1h")
    point = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "circle.point"))
    ActionChains(driver).move_to_element(point).perform()
    tooltip = point.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert tooltip.startswith("treatment, ") and ("ms" in tooltip or "s" in tooltip.split(":")[-1]), tooltip
    driver.execute_script("arguments[0].focus()", point)
    assert driver.switch_to.active_element == point, "a chart point takes keyboard focus"
    # Accessibility: axe-core on every page; serious and critical violations fail the run.
    pages = ["/", "/metrics?window=1h", "/metrics?window=rollout", "/cost", "/audience", "/alerts", "/incidents", "/incidents/1",
             "/feedback", "/audit"]
    failures = []
    for path in pages:
        driver.get(base + path)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "h1"))
        axe = Axe(driver)
        axe.inject()
        for violation in axe.run()["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                failures.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}; "
                                + "; ".join(node["target"][0] for node in violation["nodes"][:3]))
    assert not failures, "accessibility:\n" + "\n".join(failures)
    # Phone width: the overview reads without sideways scrolling (wide tables and charts scroll or shrink in place).
    driver.set_window_size(390, 900)
    driver.get(base + "/")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1"))
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the overview is {overflow}px wider than a 390px phone"
    # Charts keep readable text on a phone: they scroll sideways in their own box instead of shrinking to fit.
    timeline = driver.find_element(By.CSS_SELECTOR, "svg.timeline").size["width"]
    assert timeline >= 700, f"the timeline shrank to {timeline}px at phone width"
    axe = Axe(driver)
    axe.inject()
    phone = [v["id"] for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    assert not phone, f"accessibility at phone width: {phone}"
    print("dashboard e2e: logged in, read the gate, signed, promoted to alpha, saw a pause live, saw the rollback's marker "
          f"link to its incident, read a point: {tooltip}; axe on {len(pages)} pages: no serious or critical violation; "
          "phone width without sideways scrolling")
finally:
    if driver:
        driver.quit()
    server.stop()
