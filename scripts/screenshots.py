#!/usr/bin/env python3
"""Regenerates docs/screenshots/*.png from the demo's data: plays `liftoff demo` at high speed (a whole rollout:
internal, alpha, beta with an incident and its automatic rollback, the fix, full release), then photographs every
dashboard page at 1280 px and the overview at phone width in headless Chromium. Loopback only.

    python3 scripts/screenshots.py .build/release/liftoff [speed]
"""
import os, shutil, subprocess, sys, tempfile, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/liftoff"
speed = sys.argv[2] if len(sys.argv) > 2 else "1200"
port = 18092
base = f"http://127.0.0.1:{port}"
out = os.path.join("docs", "screenshots")
os.makedirs(out, exist_ok=True)
data = tempfile.mkdtemp(prefix="liftoff-screenshots-")

demo = subprocess.Popen([binary, "demo", "--port", str(port), "--speed", speed, "--data-dir", data],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
driver = None
try:
    key = None
    # The demo prints its admin key first and says when the rollout has played out; bounded by a deadline.
    deadline = time.time() + 900
    for line in demo.stdout:
        if "Log in with the admin key:" in line:
            key = line.rsplit(":", 1)[1].strip()
        if "The clock runs at real speed now" in line:
            break
        if time.time() > deadline:
            raise SystemExit("the demo did not finish within 15 minutes")
    if not key:
        raise SystemExit("the demo printed no admin key")
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(1280, 1000)
    driver.get(base + "/login")
    driver.save_screenshot(os.path.join(out, "login.png"))
    driver.find_element(By.NAME, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    time.sleep(0.5)
    for path, name in [("/", "overview"), ("/metrics?window=rollout", "metrics"), ("/cost", "cost"), ("/audience", "audience"),
                       ("/alerts", "alerts"), ("/incidents", "incidents"), ("/incidents/1", "incident"), ("/feedback", "feedback"),
                       ("/audit", "audit")]:
        driver.get(base + path)
        time.sleep(0.5)
        # The whole page, not the first screen of it.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        # The window's height includes the browser's own frame: a margin keeps the page's last rows in the picture.
        driver.set_window_size(1280, min(max(height + 200, 1000), 8000))
        driver.save_screenshot(os.path.join(out, f"{name}.png"))
        driver.set_window_size(1280, 1000)
    driver.set_window_size(390, 1400)
    driver.get(base + "/")
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(out, "overview-phone.png"))
    print(f"screenshots of the demo's rollout written to {out}")
finally:
    if driver:
        driver.quit()
    demo.terminate()
    try:
        demo.wait(timeout=20)
    except subprocess.TimeoutExpired:
        demo.kill()
    shutil.rmtree(data, ignore_errors=True)
