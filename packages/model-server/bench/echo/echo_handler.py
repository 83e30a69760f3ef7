def handle(data, context):
    if data is None:
        return None
    return [item.get("body") for item in data]
