SELECT id, name, status, coalesce(video_device_id, id), coalesce(video_channel_id, id)
FROM cameras
WHERE id = $1;
