import ArgumentParser
import Foundation
import SporeJSON
import Templates

/// `spore template render`: renders a view template locally with the engine the daemon uses, so a
/// site's author can check a page before uploading it (and the tests can compare spore's output
/// with Python's Jinja2 byte for byte).
struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Work with artifact view templates.", subcommands: [Render.self]
    )

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a Jinja2 template from a folder with JSON variables; the page goes to standard output."
        )

        @Argument(help: "The template's name inside --root (as a view_config template is named).")
        var name: String

        @Option(help: "The folder that holds the template and what it includes.")
        var root: String = "."

        @Option(help: "A JSON file with the variables (an object); '-' reads standard input.")
        var variables: String?

        @Flag(help: "Escape every value printed, as spore's own pages do (users' templates render without).")
        var autoescape = false

        func run() async throws {
            var context = TemplateMapping()
            if let variables {
                let data = variables == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: variables))
                guard case .object(let object) = try JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
                    throw ValidationError("the variables must be a JSON object")
                }
                for (key, value) in object.pairs { context[key] = TemplateValue(value) }
            }
            let folder = URL(fileURLWithPath: root).standardizedFileURL
            let bundle = try await TemplateBundle(name: name) { included in
                // Names stay inside the folder, as a view's includes stay inside its artifact.
                let file = folder.appendingPathComponent(included).standardizedFileURL
                guard file.path.hasPrefix(folder.path + "/"), FileManager.default.fileExists(atPath: file.path) else { return nil }
                return String(decoding: try Data(contentsOf: file), as: UTF8.self)
            }
            let page = try bundle.render(context, autoescape: autoescape)
            FileHandle.standardOutput.write(Data(page.utf8))
        }
    }
}
