package dev.agentwire.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium driven by Debian's chromedriver (both paths given, so Selenium Manager never
 * runs), headless, with a fresh profile and no background traffic. Elements are found as a user
 * finds them: by their role and accessible name, as Chromium computes them.
 */
public final class Chromium implements AutoCloseable {

    static final String BROWSER = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("chromium.driver", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** A browser window of the given size, in CSS pixels. */
    public static Chromium start(int width, int height) throws IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        var options = new ChromeOptions().setBinary(BROWSER).addArguments("--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        var service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        var driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, height));
        return new Chromium(driver, profile);
    }

    /** Whether this machine has the browser and its driver (Debian's chromium, chromium-driver). */
    public static boolean installed() {
        return new File(BROWSER).canExecute() && new File(DRIVER).canExecute();
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** The one visible element with this ARIA role and accessible name, waiting for it. */
    public WebElement byRole(String role, String name) {
        return await("a " + role + " named \"" + name + "\"", d -> {
            List<WebElement> found = all(role, name);
            return found.size() == 1 ? found.get(0) : null;
        });
    }

    /** The visible elements with this role and accessible name, now. */
    public List<WebElement> all(String role, String name) {
        return driver.findElements(By.cssSelector(candidates(role))).stream()
                .filter(e -> e.isDisplayed() && role.equals(e.getAriaRole()) && name.equals(e.getAccessibleName()))
                .toList();
    }

    /** Waits up to 20 s for {@code condition} to give a value other than null or false. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, Duration.ofSeconds(20), condition);
    }

    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).withMessage("waiting for " + what).until(condition);
    }

    /** Saves a screenshot as {@code target/screenshots/<name>.png} and returns its path. */
    public Path screenshot(String name) {
        try {
            Path directory = Files.createDirectories(Path.of(System.getProperty("agentwire.basedir", "."), "target", "screenshots"));
            Path file = directory.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    /** Elements that may carry the role, by their tag or an explicit role attribute. */
    private static String candidates(String role) {
        String tags = switch (role) {
            case "button" -> "button, input[type=submit], input[type=button]";
            case "textbox" -> "textarea, input:not([type]), input[type=text]";
            case "list" -> "ul, ol";
            case "listitem" -> "li";
            case "status" -> "output";
            case "alert" -> "div";
            case "navigation" -> "nav";
            case "article" -> "article";
            case "region" -> "section";
            default -> "*";
        };
        return tags + ", [role=" + role + "]";
    }
}
