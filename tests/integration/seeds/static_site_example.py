"""The seed document's "Static Site Hosting" example (Step 1 to Step 4), copied verbatim from
../shared/seeds/003_1c1b0403af9b8497.txt, except that SERVER_URL and a login token come from the
command line: without a token neither Hypha 0.21.137 nor spore lets the example create an artifact
(Hypha: "Cannot create artifact in a non-persistent workspace"), so `"token": TOKEN` is added to
its two `connect_to_server` calls. It exits non-zero when the site does not answer 200."""
import sys

SERVER_URL, TOKEN = sys.argv[1], sys.argv[2]

import asyncio
import httpx
import requests
from hypha_rpc import connect_to_server

async def deploy_static_site():
    # Connect to the Artifact Manager
    api = await connect_to_server({"name": "test-client", "server_url": SERVER_URL, "token": TOKEN})
    artifact_manager = await api.get_service("public/artifact-manager")
    workspace = api.config.workspace
    token = await api.generate_token()

    # Create a view artifact
    manifest = {
        "name": "My Portfolio",
        "description": "A personal portfolio website",
    }
    
    view_config = {
        "root_directory": "/", # it can be a subdirectory too
        "templates": ["index.html", "about.html"],  # Files that use Jinja2 templates
        "template_engine": "jinja2",
        "use_builtin_template": False,
        "headers": {
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": "max-age=3600"
        }
    }
    
    site_artifact = await artifact_manager.create(
        alias="my-portfolio",
        manifest=manifest,
        config={
            "view_config": view_config
        },
        stage=True
    )
    
    print(f"Artifact created with ID: {site_artifact.id}")
    return site_artifact, workspace, token


async def upload_site_files(artifact_manager, site_artifact, token):
    # Upload regular HTML file (non-templated)
    static_html = """<!DOCTYPE html>
<html>
<head><title>Static Page</title></head>
<body><h1>This is a static page</h1></body>
</html>"""
    
    file_url = await artifact_manager.put_file(site_artifact.id, "static.html")
    response = requests.put(file_url, data=static_html.encode(), headers={"Content-Type": "text/html"})
    assert response.ok
    
    # Upload templated HTML file (with Jinja2)
    template_html = """<!DOCTYPE html>
<html>
<head>
    <title>{{ MANIFEST.name }}</title>
    <link rel="stylesheet" href="style.css">
</head>
<body>
    <header>
        <h1>{{ MANIFEST.name }}</h1>
        <p>{{ MANIFEST.description }}</p>
    </header>
    
    <main>
        <section>
            <h2>Site Information</h2>
            <ul>
                <li><strong>Base URL:</strong> {{ BASE_URL }}</li>
                <li><strong>Workspace:</strong> {{ WORKSPACE }}</li>
                <li><strong>View Count:</strong> {{ VIEW_COUNT }}</li>
                <li><strong>Download Count:</strong> {{ DOWNLOAD_COUNT }}</li>
            </ul>
        </section>
        
        <section>
            <h2>User Information</h2>
            {% if USER %}
                <p>Welcome, {{ USER.id }}!</p>
            {% else %}
                <p>Welcome, Anonymous user!</p>
            {% endif %}
        </section>
        
        <section>
            <h2>Configuration</h2>
            <pre>{{ CONFIG | tojson(indent=2) }}</pre>
        </section>
    </main>
    
    <footer>
        <p>Powered by Hypha Artifact Manager</p>
    </footer>
</body>
</html>"""
    
    file_url = await artifact_manager.put_file(site_artifact.id, "index.html")
    response = requests.put(file_url, data=template_html.encode(), headers={"Content-Type": "text/html"})
    assert response.ok
    
    # Upload CSS file
    css_content = """
body {
    font-family: Arial, sans-serif;
    max-width: 800px;
    margin: 0 auto;
    padding: 20px;
    line-height: 1.6;
}

header {
    background-color: #f4f4f4;
    padding: 20px;
    border-radius: 5px;
    margin-bottom: 20px;
}

section {
    margin-bottom: 30px;
    padding: 20px;
    border: 1px solid #ddd;
    border-radius: 5px;
}

footer {
    text-align: center;
    padding: 20px;
    color: #666;
    border-top: 1px solid #ddd;
    margin-top: 40px;
}
"""
    
    file_url = await artifact_manager.put_file(site_artifact.id, "style.css")
    response = requests.put(file_url, data=css_content.encode(), headers={"Content-Type": "text/css"})
    assert response.ok
    
    # Upload JavaScript file
    js_content = """
console.log('Site loaded successfully!');
document.addEventListener('DOMContentLoaded', function() {
    console.log('DOM ready');
});
"""
    
    file_url = await artifact_manager.put_file(site_artifact.id, "script.js")
    response = requests.put(file_url, data=js_content.encode(), headers={"Content-Type": "application/javascript"})
    assert response.ok
    
    print("All site files uploaded successfully")


async def commit_and_deploy(artifact_manager, site_artifact):
    # Commit the site
    await artifact_manager.commit(site_artifact.id)
    print("Site committed and deployed!")
    
    # The site is now accessible at:
    # https://your-hypha-server.com/{workspace}/view/my-portfolio/
    
    return site_artifact


async def main():
    # Step 1: Create site artifact
    site_artifact, workspace, token = await deploy_static_site()
    
    # Step 2: Upload files
    api = await connect_to_server({"name": "test-client", "server_url": SERVER_URL, "token": TOKEN})
    artifact_manager = await api.get_service("public/artifact-manager")
    await upload_site_files(artifact_manager, site_artifact, token)
    
    # Step 3: Deploy
    await commit_and_deploy(artifact_manager, site_artifact)
    
    # Step 4: Test the site
    site_url = f"{SERVER_URL}/{workspace}/view/my-portfolio/"
    print(f"Your site is now live at: {site_url}")
    
    # Test the site
    async with httpx.AsyncClient() as client:
        response = await client.get(site_url, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 200:
            print("âœ… Site is working correctly!")
        else:
            print(f"âŒ Site test failed: {response.status_code}")
            sys.exit(1)

# Run the deployment
asyncio.run(main())

