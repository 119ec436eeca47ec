"""The example frontend (``examples/index.html``) in headless Chromium, against a real server.

``caseapi serve`` runs on one port with a small Dutch content folder; the page is
served by ``python -m http.server`` on another, so every API call is a
cross-origin read. Chromium (Debian's ``chromium`` and ``chromium-driver``) is
driven through Selenium; without them the test is skipped.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import ContentFolder
from tests.paths import ROOT
from tests.servers import DEADLINE, eventually, free_port

EXAMPLES = ROOT / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
START_DEADLINE = 60.0

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium not installed: apt-get install chromium chromium-driver",
)


@contextlib.contextmanager
def process(command: list[str], log: Path, **options: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, its output in ``log``; terminated (then killed) at the end."""
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **options
        )
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(DEADLINE)


def wait_until_answering(url: str, child: subprocess.Popen[bytes], log: Path) -> None:
    def answering() -> None:
        assert child.poll() is None, f"{url}: the server exited\n{log.read_text()}"
        try:
            assert httpx.get(url, timeout=5.0).status_code == 200
        except httpx.TransportError as error:
            raise AssertionError(f"{url} not answering yet: {error!r}") from None

    eventually(answering, timeout=START_DEADLINE)


@pytest.fixture
def dutch(content: ContentFolder) -> ContentFolder:
    content.post(
        "clienten-aan-het-woord",
        title="Cliënten aan het woord",
        date="2024-06-01",
        tags="zorg",
        body="De cliëntenraad vertelt wat goede zorg voor cliënten betekent.",
    )
    content.post(
        "wat-is-vakmanschap",
        title="Wat is vakmanschap eigenlijk?",
        date="2024-05-01",
        body="Vakmanschap is meer dan kennis en vaardigheden.",
    )
    # What an editor types is text, never markup: the page must show it as such.
    content.write(
        "posts/veilig.md",
        "---\ntitle: 'Veilig <img src=x onerror=\"document.title=1\"> & <b>vet</b>'\n"
        "date: 2024-04-01\nsummary: '<script>document.title=2</script> samenvatting'\n---\n"
        "Over veiligheid en <em>opmaak</em>.\n",
    )
    content.assignment("vraaggestuurde-professionaliteit", tags="zorg")
    return content


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1200,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(START_DEADLINE)
    try:
        yield driver
    finally:
        driver.quit()


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Reading elements the page replaces as it goes (each keystroke re-renders the hits)
    fails as a check that is tried again, not as an error."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        yield
    except StaleElementReferenceException as error:
        raise AssertionError("the page re-rendered while it was read") from error


def texts(driver: Any, selector: str) -> list[str]:
    from selenium.webdriver.common.by import By

    with settled():
        return [element.text for element in driver.find_elements(By.CSS_SELECTOR, selector)]


@contextlib.contextmanager
def servers(tmp_path: Path, content: Path) -> Iterator[tuple[str, str]]:
    """``caseapi serve`` over ``content`` and the example page on another origin: their URLs."""
    api_port, page_port = free_port(), free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASEAPI_")
    }
    api = [
        *(sys.executable, "-m", "caseapi.cli", "serve", "--no-watch", "--no-access-log"),
        *("--content", str(content), "--index", str(tmp_path / "index")),
        *("--host", "127.0.0.1", "--port", str(api_port)),
    ]
    static = [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1"]
    api_log, static_log = tmp_path / "api.log", tmp_path / "static.log"
    with (
        process(api, api_log, env=environment) as api_server,
        process(static, static_log, cwd=EXAMPLES) as static_server,
    ):
        api_url = f"http://127.0.0.1:{api_port}"
        page_url = f"http://localhost:{page_port}/index.html"
        wait_until_answering(f"{api_url}/health", api_server, api_log)
        wait_until_answering(page_url, static_server, static_log)
        yield api_url, page_url


def screenshot(driver: Any, name: str) -> None:
    """Saved for a person to look at when BROWSER_SCREENSHOTS names a folder."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def severe_messages(driver: Any) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]


def test_the_schema_page_shows_every_operation(
    tmp_path: Path, dutch: ContentFolder, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    expected = {
        (method.upper(), path)
        for path, operations in committed["paths"].items()
        for method in operations
    }
    with servers(tmp_path, dutch.root) as (api_url, _):
        browser.get(f"{api_url}/schema")

        def operations_shown() -> set[tuple[str, str]]:
            with settled():
                blocks = browser.find_elements(By.CSS_SELECTOR, ".opblock-summary")
                shown = {
                    (
                        block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text,
                        block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").text,
                    )
                    for block in blocks
                }
            assert len(shown) == len(expected), shown
            return shown

        shown = eventually(operations_shown, timeout=START_DEADLINE)
        # Swagger UI breaks long paths with zero-width spaces.
        assert {(method, path.replace("\u200b", "")) for method, path in shown} == expected
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Unable to render" not in page
        assert "caseapi" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
        screenshot(browser, "schema")
        assert severe_messages(browser) == []


def test_a_post_with_an_image_shows_the_image_at_its_size(
    tmp_path: Path, content: ContentFolder, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    photo = Image.new("RGB", (640, 400), (40, 90, 160))
    data = io.BytesIO()
    photo.save(data, "JPEG")
    content.write_bytes("posts/team.jpg", data.getvalue())
    content.write(
        "posts/team-op-pad.md",
        "---\ntitle: Team op pad\ndate: 2024-05-01\nauthor: Henk Wedman\n"
        "image: team.jpg\nimage_alt: Het team op de hei\n---\n"
        "Het hele team ging mee.\n\n![Het team](team.jpg)\n\n## Wat we leerden\n\nVeel.\n",
    )
    content.write(
        "media/tekening.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="teal"/>'
        "<script>document.title = 'gehackt'</script></svg>",
    )
    with servers(tmp_path, content.root) as (api_url, page_url):
        browser.get(f"{page_url}?api={api_url}&post=team-op-pad")

        def images_loaded() -> list[dict[str, Any]]:
            with settled():
                found = browser.find_elements(By.CSS_SELECTOR, "#bericht img")
                facts = [
                    browser.execute_script(
                        "const i = arguments[0]; return {complete: i.complete, "
                        "natural: [i.naturalWidth, i.naturalHeight], "
                        "attributes: [i.getAttribute('width'), i.getAttribute('height')], "
                        "src: i.src, alt: i.alt, shown: [i.clientWidth, i.clientHeight]};",
                        image,
                    )
                    for image in found
                ]
            assert len(facts) == 2, facts
            assert all(fact["complete"] and fact["natural"] == [640, 400] for fact in facts), facts
            return facts

        cover, inline = eventually(images_loaded, timeout=START_DEADLINE)
        for image in (cover, inline):
            assert image["attributes"] == ["640", "400"]
            assert image["src"].startswith(f"{api_url}/files/posts/team.jpg?v=")
            assert image["shown"] == [640, 400]
        assert cover["alt"] == "Het team op de hei"
        assert texts(browser, "#bericht h2")[0] == "Team op pad"
        assert "1 min. lezen" in texts(browser, "#bericht .meta")[0]
        screenshot(browser, "post-with-image")
        assert severe_messages(browser) == []

        # An SVG with a script, opened directly: it shows, its script does not run.
        browser.get(f"{api_url}/files/media/tekening.svg")
        eventually(lambda: browser.find_element(By.TAG_NAME, "svg"))
        assert browser.title != "gehackt"
        assert browser.execute_script("return document.title") != "gehackt"


def test_the_example_page_lists_posts_and_finds_one_by_a_dutch_query(
    tmp_path: Path, dutch: ContentFolder, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    api_port, page_port = free_port(), free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASEAPI_")
    }
    api = [
        *(sys.executable, "-m", "caseapi.cli", "serve", "--no-watch", "--no-access-log"),
        *("--content", str(dutch.root), "--index", str(tmp_path / "index")),
        *("--host", "127.0.0.1", "--port", str(api_port)),
    ]
    static = [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1"]
    api_log, static_log = tmp_path / "api.log", tmp_path / "static.log"
    with (
        process(api, api_log, env=environment) as api_server,
        process(static, static_log, cwd=EXAMPLES) as static_server,
    ):
        api_url = f"http://127.0.0.1:{api_port}"
        page_url = f"http://localhost:{page_port}/index.html?api={api_url}"
        wait_until_answering(f"{api_url}/health", api_server, api_log)
        wait_until_answering(f"http://localhost:{page_port}/index.html", static_server, static_log)

        browser.get(page_url)

        def recent_posts_shown() -> list[str]:
            shown = texts(browser, "#recent li.bericht a")
            assert len(shown) == 3, texts(browser, "#recent li")
            return shown

        assert eventually(recent_posts_shown) == [
            "Cliënten aan het woord",
            "Wat is vakmanschap eigenlijk?",
            'Veilig <img src=x onerror="document.title=1"> & <b>vet</b>',
        ]
        assert "<script>document.title=2</script> samenvatting" in texts(browser, "#recent li")[2]
        assert texts(browser, "#api") == [f"Gegevens van {api_url}"]

        # Typed as people do: no accents, one letter at a time.
        field = browser.find_element(By.ID, "zoekveld")
        field.send_keys("clienten")

        def found() -> tuple[str | None, list[str], str]:
            # The answer to the whole word, not to a prefix typed on the way.
            status = texts(browser, "#status")
            assert status, "no status yet"
            assert "voor “clienten”" in status[0], status
            titles = texts(browser, "#resultaten li.hit > a")
            assert "Cliënten aan het woord" in titles, (titles, status)
            with settled():
                first = browser.find_element(By.CSS_SELECTOR, "#resultaten li.hit")
                href = first.find_element(By.TAG_NAME, "a").get_attribute("href")
                marks = [mark.text for mark in first.find_elements(By.TAG_NAME, "mark")]
            return href, marks, texts(browser, "#resultaten li.hit .meta")[0]

        href, marks, meta = eventually(found)
        # CASEAPI_BASE_URL's default
        assert href == "http://127.0.0.1:8000/posts/clienten-aan-het-woord"
        # The API's highlights are real <mark> elements, with the word as written.
        assert "Cliënten" in marks
        assert meta == "bericht · 1 juni 2024"
        if os.environ.get("BROWSER_SCREENSHOT"):  # to look at the page: a PNG file name
            browser.save_screenshot(os.environ["BROWSER_SCREENSHOT"])

        # Markup in content shows as text, in the list and in search results alike.
        field.clear()
        field.send_keys("veiligheid")

        def found_the_markup() -> None:
            titles = texts(browser, "#resultaten li.hit > a")
            assert any(title.startswith("Veilig <img") for title in titles), titles

        eventually(found_the_markup)
        for tag in ("img", "b", "script", "em"):
            with settled():
                found_tags = browser.find_elements(
                    By.CSS_SELECTOR, f"#resultaten {tag}, #recent {tag}"
                )
            assert not found_tags
        assert browser.title == "Berichten en opdrachten zoeken"

        # A query the API refuses shows its problem, in words.
        field.clear()
        field.send_keys("-zorg")
        eventually(lambda: _assert_error_shown(browser))

        problems = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE"
            and "favicon.ico" not in entry["message"]
            # the refused query above is a 400 the browser reports
            and "status of 400" not in entry["message"]
        ]
        assert problems == [], problems


def _assert_error_shown(driver: Any) -> None:
    errors = texts(driver, "#status .fout")
    assert errors, texts(driver, "#status")
    assert errors[0]
