// Copyright 2019-2023 Tauri Programme within The Commons Conservancy
// SPDX-License-Identifier: Apache-2.0
// SPDX-License-Identifier: MIT

import XCTest
@testable import ExamplePlugin

final class ExamplePluginTests: XCTestCase {
    func testExample() throws {
        let plugin = ExamplePlugin()
    }
}
