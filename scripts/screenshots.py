#!/usr/bin/env python3
"""Regenerates docs/screenshots/*.png: every dashboard page at 1280 px and the overview at phone width,
in headless Chromium, against a server fed a little traffic (the example plan). Loopback only."""
import os, sys, time
from liftoff_server import LiftoffServer
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/liftoff"
port, key = 18092, "screenshot-admin-key-0123456789"
base = f"http://127.0.0.1:{port}"
out = os.path.join("docs", "screenshots")
os.makedirs(out, exist_ok=True)
server = LiftoffServer(binary, port, key, plan="scripts/fuzz-plan.yml")
call = server.call

driver = None
try:
    server.start()
    events = [{"type": "ai_interaction", "userId": f"dev-{1 + i % 2}", "latencyMs": 600 + (i * 53) % 1900,
               "outcome": "ok" if i % 40 else "timeout", "inputTokens": 900, "outputTokens": 250, "model": "gpt-4o-mini"} for i in range(160)]
    events += [{"type": "feedback", "userId": "dev-1", "rating": 5, "relevant": True, "suggestion": "More worked examples for recursion"},
               {"type": "feedback", "userId": "dev-2", "rating": 3, "usability": 4, "suggestion": "Hints come a bit late"}]
    call("POST", "/v1/events", {"events": events})
    for user in ["ada", "grace", "linus"]:
        call("POST", "/v1/waitlist", {"userId": user})
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
    for path, name in [("/", "overview"), ("/metrics", "metrics"), ("/cost", "cost"), ("/audience", "audience"), ("/alerts", "alerts"), ("/incidents", "incidents"),
                       ("/feedback", "feedback"), ("/audit", "audit")]:
        driver.get(base + path)
        time.sleep(0.3)
        driver.save_screenshot(os.path.join(out, f"{name}.png"))
    driver.set_window_size(390, 1000)
    driver.get(base + "/")
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(out, "overview-phone.png"))
    print(f"screenshots written to {out}")
finally:
    if driver:
        driver.quit()
    server.stop()
